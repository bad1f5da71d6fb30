// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// parse_json's own parser accepts exactly what nlohmann's accepts and builds the same values with
// the same number types: edge cases of the grammar, strings, UTF-8 and numbers, then thousands of
// deterministic mutations of real-looking documents, each compared with nlohmann::ordered_json.

#include <cardinal/json.hpp>

#include "test_util.hpp"

#include <random>

namespace cardinal {
namespace {

// Equal values with equal types all the way down (nlohmann's == says 1 == 1u == 1.0).
bool strictly_equal(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    auto ib = b.begin();
    for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key() || !strictly_equal(ia.value(), ib.value())) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!strictly_equal(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return (x == y && std::signbit(x) == std::signbit(y)) || (std::isnan(x) && std::isnan(y));
  }
  return a == b;
}

// Empty when both parsers agree on `text`, otherwise what differs.
std::string disagreement(const std::string& text) {
  std::optional<Json> reference;
  try {
    reference = Json::parse(text);
  } catch (const Json::exception&) {
  }
  JsonLimits unbounded;
  unbounded.max_depth = 1'000'000;
  auto ours = parse_json(text, unbounded);
  if (reference.has_value() != ours.ok()) {
    return std::string(reference ? "nlohmann accepts, parse_json refuses (" + ours.error().message() + ")"
                                 : "nlohmann refuses, parse_json accepts");
  }
  if (reference && !strictly_equal(*reference, *ours)) return "values differ: " + reference->dump() + " vs " + ours->dump();
  return {};
}

TEST(JsonParser, AgreesWithNlohmannOnEdgeCases) {
  const std::vector<std::string> cases = {
      "", " ", "{}", "[]", " {} ", "{", "}", "[", "]", "[1,]", "[,1]", "{,}", R"({"a":1,})", R"({"a" 1})",
      R"({"a":})", R"({1:2})", R"({"a":1 "b":2})", "[1 2]", "null", "true", "false", "nul", "tru", "fals",
      "truex", "nullnull", "[true,false,null]", "\xEF\xBB\xBF{}", "\xEF\xBB{}", "\xEF{}", "{}\xEF\xBB\xBF",
      "0", "-0", "-", "01", "-01", "1.", ".1", "1.5", "-1.5e3", "1e", "1e+", "1E-2", "1e5", "2.5E+10", "+1",
      "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
      "9223372036854775807", "9223372036854775808", "1e400", "-1e400", "1e-400", "4.9e-324", "2.2250738585072014e-308",
      "0.1", "123456789012345678901234567890", "1.7976931348623157e308", "[0.30000000000000004]", "-0.0",
      "0e0", "00", "1 1", "[1]x", "\"\"", "\"abc\"", R"("\"\\\/\b\f\n\r\t")", R"("\u0000")", R"("\u00e9\u20AC")",
      R"("\ud83d\ude00")", R"("\ud83d")", R"("\ude00")", R"("\ud83d\u0041")", R"("\ud83dx")", R"("\uZZZZ")",
      R"("\u12")", R"("\x")", "\"a\tb\"", "\"a\nb\"", std::string("\"a\0b\"", 5), "\"\x7f\"", "\"\xC3\xA9\"",
      "\"\xC0\xAF\"", "\"\xC2\x80\"", "\"\xE0\x80\xAF\"", "\"\xE0\xA0\x80\"", "\"\xED\xA0\x80\"", "\"\xED\x9F\xBF\"",
      "\"\xF0\x9F\x98\x80\"", "\"\xF4\x90\x80\x80\"", "\"\xF5\x80\x80\x80\"", "\"\xFF\"", "\"\x80\"", "\"\xC3\"",
      "\"\xE2\x82\"", "\"abc", R"({"a":1,"a":2})", R"({"a":{"b":1},"a":[2]})", R"({"b":1,"a":2,"b":3})",
      "[[[]]]", R"({"a":[{"b":[{}]}]})", "\t\n\r [ 1 , { \"k\" : \"v\" } ] \n", "[1]\v", "\f[1]", "[1e1.5]",
      R"([-])", R"([1,-])", "[\"\\", "\"\\u", std::string("[\0]", 3), "[1,2,3,4,5,6,7,8,9,10]",
  };
  for (const auto& c : cases) EXPECT_EQ(disagreement(c), "") << "input: " << Json(c).dump(-1, ' ', true, Json::error_handler_t::replace);
}

TEST(JsonParser, AgreesWithNlohmannOnMutatedDocuments) {
  const std::vector<std::string> seeds = {
      R"({"id":"he-1","rev":"1-a","codes":[{"type":"ICD","code":"I10"}],"valueDate":20240101,"status":0,)"
      R"("note":"caf\u00e9 \"quoted\" \ud83d\ude00 é","score":-1.25e-3,"ok":true,"x":null,"big":18446744073709551615})",
      R"([{"a":[1,2,[3,{"b":"c"}]],"d":{"e":{"f":[]}}},-0,0.5,"\n\t\\",false])",
  };
  const std::string alphabet = "{}[]:,\"\\ -+.0123456789eEtrufalsn\t\n\xC3\xA9\xED\xA0\xF0\x9F\x80\xBF\xEF\xBB";
  std::mt19937 rng(16);
  int checked = 0;
  for (int round = 0; round < 20'000; ++round) {
    std::string text = seeds[static_cast<std::size_t>(round) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = rng() % text.size();
      const char ch = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: text[at] = ch; break;
        case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), ch); break;
        default: text.erase(at, 1 + rng() % 3); break;
      }
    }
    const std::string d = disagreement(text);
    ASSERT_EQ(d, "") << "input: " << Json(text).dump(-1, ' ', true, Json::error_handler_t::replace);
    ++checked;
  }
  EXPECT_EQ(checked, 20'000);
}

TEST(JsonParser, RepeatedKeysKeepTheFirstPlaceAndTheLastValue) {
  auto r = parse_json(R"({"b":1,"a":2,"b":{"c":3}})");
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->begin().key(), "b");
  EXPECT_EQ((*r)["b"]["c"], 3);
}

TEST(JsonParser, DepthErrorsNameTheOffsetOfTheBracket) {
  JsonLimits tight;
  tight.max_depth = 2;
  auto r = parse_json(R"({"a":[[1]]})", tight);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("nested deeper than 2 levels refused (at byte offset 6)"), std::string::npos)
      << r.error().message();
}

}  // namespace
}  // namespace cardinal
