// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Small helpers shared by the test suites.

#include <cardinal/bytes.hpp>
#include <cardinal/crypto/encoding.hpp>
#include <cardinal/result.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace cardinal::testing {

inline Bytes unhex(std::string_view hex) {
  auto r = crypto::hex_decode(hex);
  if (!r.ok()) ADD_FAILURE() << "bad hex in test data: " << r.error().to_string();
  return r.ok() ? std::move(r).value() : Bytes{};
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string shared_path(const std::string& relative) {
  return std::string(CARDINAL_SHARED_DIR) + "/" + relative;
}

}  // namespace cardinal::testing

#define ASSERT_OK(expr)                                               \
  do {                                                                \
    const auto& cardinal_r_ = (expr);                                 \
    ASSERT_TRUE(cardinal_r_.ok()) << cardinal_r_.error().to_string(); \
  } while (false)

#define EXPECT_ERROR_CODE(expr, expected_code)                                                   \
  do {                                                                                           \
    const auto& cardinal_r_ = (expr);                                                            \
    ASSERT_FALSE(cardinal_r_.ok()) << "expected error " << ::cardinal::to_string(expected_code); \
    EXPECT_EQ(cardinal_r_.error().code(), expected_code) << cardinal_r_.error().to_string();     \
  } while (false)
