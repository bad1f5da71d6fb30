// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/result.hpp>

#include <gtest/gtest.h>

#include <string>

namespace cardinal {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error{ErrorCode::kInvalidArgument, "not positive"};
  return v;
}

Result<int> doubled(int v) {
  CARDINAL_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

Status check(int v) {
  CARDINAL_RETURN_IF_ERROR(parse_positive(v));
  return {};
}

TEST(Result, HoldsValueOrError) {
  auto ok = doubled(4);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message(), "not positive");
  EXPECT_EQ(bad.value_or(7), 7);
  EXPECT_EQ(bad.error().to_string(), "InvalidArgument: not positive");
}

TEST(Result, StatusPropagates) {
  EXPECT_TRUE(check(1).ok());
  EXPECT_EQ(check(0).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(doubled(0).status().ok());
  EXPECT_TRUE(doubled(3).status().ok());
}

TEST(Result, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    EXPECT_NE(to_string(static_cast<ErrorCode>(c)), "Unknown") << c;
  }
}

TEST(ResultDeathTest, ValueOfErrorTerminates) {
  auto bad = parse_positive(-3);
  EXPECT_DEATH({ (void)bad.value(); }, "value\\(\\) called on a failed Result: InvalidArgument");
}

}  // namespace
}  // namespace cardinal
