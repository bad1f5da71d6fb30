// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `SecretBytes`: the one type that holds key material and decrypted plaintext.
///
/// - Its memory is wiped (`explicit_bzero` on glibc, `OPENSSL_cleanse` elsewhere) whenever it is
///   released: on destruction, on reassignment and when the buffer grows.
/// - It cannot be printed or streamed, and has no implicit conversion to a string or a span:
///   reading the bytes takes an explicit, grep-able call to `reveal()`.
/// - Equality is constant time.
///
/// Thread safety: like `std::vector`; concurrent const access is safe.
///
/// Ownership: a `SecretBytes` owns its buffer; copies are independent buffers, each wiped on
/// release; the views `reveal()` and `reveal_as_text()` borrow it. `detail::` is not API (the
/// wiping allocator).

#include <cardinal/export.hpp>

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace cardinal {

/// Not API: the wiping allocator of `SecretBytes` (exported because it is inline).
namespace detail {
CARDINAL_EXPORT void secure_wipe(void* data, std::size_t size) noexcept;

/// An allocator that wipes memory before giving it back. Elements added without a value
/// (`resize(n)`) are default-initialised (left unwritten): `SecretBytes::for_overwrite` relies on
/// it to skip a zero fill that the caller overwrites at once; every other growth passes a value.
template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>& /*other*/) noexcept {}  // NOLINT
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  /// Default-initialises (no zero fill); construction with arguments is the usual one.
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  /// Constructs from arguments.
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  friend bool operator==(const WipingAllocator&, const WipingAllocator&) noexcept { return true; }
};
}  // namespace detail

/// Secret bytes (keys, decrypted plaintext). See the file comment.
class CARDINAL_EXPORT SecretBytes {
 public:
  SecretBytes() = default;
  /// Copies `bytes` into wiped-on-release memory. The caller wipes its own copy.
  explicit SecretBytes(std::span<const std::uint8_t> bytes) : data_(bytes.begin(), bytes.end()) {}
  /// Takes the bytes of a string (e.g. a passphrase); the caller wipes its own copy.
  static SecretBytes from_string(std::string_view text);
  /// A buffer of `size` zero bytes, to be filled through `mutable_data()`.
  static SecretBytes zeros(std::size_t size);
  /// A buffer of `size` bytes with unspecified content (not zero-filled), for a caller that
  /// overwrites all of it at once through `mutable_data()` (decryption output) and `truncate`s
  /// what it did not write. Wiped on release like any other.
  static SecretBytes for_overwrite(std::size_t size);

  /// Copies into new wiped-on-release memory.
  SecretBytes(const SecretBytes&) = default;
  /// Copy assignment.
  SecretBytes& operator=(const SecretBytes&) = default;
  /// Moves the buffer.
  SecretBytes(SecretBytes&& other) noexcept = default;
  /// Move assignment.
  SecretBytes& operator=(SecretBytes&& other) noexcept = default;
  ~SecretBytes() = default;  // the allocator wipes

  /// Number of bytes.
  [[nodiscard]] std::size_t size() const noexcept { return data_.size(); }
  /// Whether there are no bytes.
  [[nodiscard]] bool empty() const noexcept { return data_.empty(); }

  /// Explicit access to the secret bytes. Keep the view's lifetime short; never log it.
  [[nodiscard]] std::span<const std::uint8_t> reveal() const noexcept { return {data_.data(), data_.size()}; }
  /// The bytes as text (e.g. decrypted JSON). Same rules as `reveal()`.
  [[nodiscard]] std::string_view reveal_as_text() const noexcept {
    return {reinterpret_cast<const char*>(data_.data()), data_.size()};  // NOLINT
  }
  /// Writable access, to fill a buffer created with `zeros()` or `for_overwrite()`.
  [[nodiscard]] std::uint8_t* mutable_data() noexcept { return data_.data(); }
  /// Shrinks to `size` bytes (wiping the tail); growing is not allowed and does nothing.
  void truncate(std::size_t size) noexcept;
  /// Wipes and empties.
  void clear() noexcept;

  /// Constant-time comparison (time depends on the sizes only).
  friend CARDINAL_EXPORT bool operator==(const SecretBytes& a, const SecretBytes& b) noexcept;

  /// Secrets are not printable.
  friend std::ostream& operator<<(std::ostream&, const SecretBytes&) = delete;

 private:
  std::vector<std::uint8_t, detail::WipingAllocator<std::uint8_t>> data_;
};

/// Constant-time equality of two byte strings (time depends on the sizes only). Use it for
/// every comparison of MACs, signatures, key material and derived secrets.
CARDINAL_EXPORT bool constant_time_equals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

}  // namespace cardinal
