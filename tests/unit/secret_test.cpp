// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/secret.hpp>

#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>

namespace cardinal {
namespace {

// Secrets must not be streamable: this is checked at compile time.
template <typename T, typename = void>
struct is_streamable : std::false_type {};
template <typename T>
struct is_streamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};
static_assert(!is_streamable<SecretBytes>::value, "SecretBytes must not be printable");
static_assert(!std::is_convertible_v<SecretBytes, std::string_view>);
static_assert(!std::is_convertible_v<SecretBytes, std::span<const std::uint8_t>>);

TEST(SecretBytes, HoldsAndComparesInConstantTimeApi) {
  const std::uint8_t raw[] = {1, 2, 3, 4};
  SecretBytes a(raw);
  SecretBytes b(raw);
  SecretBytes c = SecretBytes::from_string("abcd");
  EXPECT_EQ(a.size(), 4u);
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == c);
  EXPECT_FALSE(a == SecretBytes{});
  EXPECT_EQ(c.reveal_as_text(), "abcd");
}

TEST(SecretBytes, TruncateAndClear) {
  auto s = SecretBytes::zeros(8);
  for (std::size_t i = 0; i < 8; ++i) s.mutable_data()[i] = static_cast<std::uint8_t>(i + 1);
  s.truncate(3);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.reveal()[2], 3);
  s.truncate(10);  // growing is ignored
  EXPECT_EQ(s.size(), 3u);
  s.clear();
  EXPECT_TRUE(s.empty());
}

// The allocator wipes memory before releasing it. Checked through the allocator directly: reading
// freed memory would be undefined behaviour.
TEST(SecretBytes, AllocatorWipesBeforeRelease) {
  detail::WipingAllocator<std::uint8_t> alloc;
  std::uint8_t* p = alloc.allocate(32);
  for (int i = 0; i < 32; ++i) p[i] = 0xAB;
  detail::secure_wipe(p, 32);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(p[i], 0) << i;
  alloc.deallocate(p, 32);
}

TEST(ConstantTimeEquals, SizesAndContent) {
  const std::uint8_t a[] = {1, 2, 3};
  const std::uint8_t b[] = {1, 2, 4};
  EXPECT_TRUE(constant_time_equals(a, a));
  EXPECT_FALSE(constant_time_equals(a, b));
  EXPECT_FALSE(constant_time_equals(std::span(a).first(2), a));
  EXPECT_TRUE(constant_time_equals({}, {}));
}

}  // namespace
}  // namespace cardinal
