// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// parse_json bounds depth and size before building a tree (issue 13 §2).

#include <cardinal/json.hpp>

#include "deep_json.hpp"
#include "test_util.hpp"

namespace cardinal {
namespace {

TEST(JsonLimits, DefaultsAreDocumented) {
  const JsonLimits l;
  EXPECT_EQ(l.max_depth, 128u);
  EXPECT_EQ(l.max_bytes, 64u * 1024u * 1024u);
}

TEST(JsonLimits, HostileNestingIsAnErrorAtEveryDepth) {
  for (const std::size_t depth : testing::hostile_depths()) {
    for (const bool objects : {false, true}) {
      auto r = parse_json(testing::deep_json(depth, objects));
      ASSERT_FALSE(r.ok()) << depth;
      EXPECT_EQ(r.error().code(), ErrorCode::kMalformedInput);
      EXPECT_NE(r.error().message().find("nested deeper than 128"), std::string::npos) << r.error().message();
    }
    EXPECT_ERROR_CODE(parse_json(testing::deep_entity("e", depth)), ErrorCode::kMalformedInput);
  }
}

TEST(JsonLimits, NestingUpToTheLimitParses) {
  auto ok = parse_json(testing::deep_json(128));
  ASSERT_OK(ok);
  EXPECT_TRUE(ok->is_array());
  EXPECT_ERROR_CODE(parse_json(testing::deep_json(129)), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(parse_json(testing::deep_json(129, true)), ErrorCode::kMalformedInput);
  JsonLimits tight;
  tight.max_depth = 2;
  ASSERT_OK(parse_json(R"({"a":[1,2]})", tight));
  EXPECT_ERROR_CODE(parse_json(R"({"a":[[1]]})", tight), ErrorCode::kMalformedInput);
}

TEST(JsonLimits, BracketsInsideStringsDoNotCount) {
  const std::string brackets(10'000, '[');
  auto r = parse_json(R"({"s":")" + brackets + R"(","t":"\"[[[\\","u":"}}}"})");
  ASSERT_OK(r);
  EXPECT_EQ((*r)["s"].get<std::string>().size(), 10'000u);
  EXPECT_EQ((*r)["t"], "\"[[[\\");
  // An escaped quote does not end the string: the brackets after it are still inside it.
  JsonLimits tight;
  tight.max_depth = 1;
  ASSERT_OK(parse_json(R"(["\"[[[["])", tight));
}

TEST(JsonLimits, SizeIsBoundedAndMalformedTextNamesTheOffset) {
  JsonLimits small;
  small.max_bytes = 16;
  ASSERT_OK(parse_json(R"({"a":"01234567"})", small));  // 16 bytes
  auto big = parse_json(R"({"a":"012345678"})", small);
  EXPECT_ERROR_CODE(big, ErrorCode::kMalformedInput);
  if (!big.ok()) {
    EXPECT_NE(big.error().message().find("limit is 16 bytes"), std::string::npos);
  }
  auto bad = parse_json(R"({"a":tru})");
  EXPECT_ERROR_CODE(bad, ErrorCode::kMalformedInput);
  if (!bad.ok()) {
    EXPECT_NE(bad.error().message().find("byte offset"), std::string::npos) << bad.error().message();
    EXPECT_EQ(bad.error().message().find("tru"), std::string::npos) << "the content is never echoed";
  }
  // Unbalanced closers are the parser's to report, not a crash of the scan.
  EXPECT_ERROR_CODE(parse_json("]]]]"), ErrorCode::kMalformedInput);
}

}  // namespace
}  // namespace cardinal
