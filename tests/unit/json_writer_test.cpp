// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The compact serialiser (src/common/json_writer.cpp) writes byte for byte what nlohmann's
// dump(-1, ' ', false, strict) writes, and refuses (as an error value) exactly what dump refuses
// with an exception: edge cases of strings, UTF-8 and numbers, random doubles, random trees with
// random bytes in their strings, and thousands of mutated documents.

#include "common/json_writer.hpp"

#include <cardinal/json.hpp>

#include "test_util.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace cardinal {
namespace {

// Empty when both serialisers agree on `value` (same text, or both refuse), else what differs.
std::string disagreement(const Json& value, std::size_t size_hint = 1024) {
  std::optional<std::string> reference;
  try {
    reference = value.dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const Json::exception&) {
  }
  auto ours = detail::write_compact_json(value, size_hint);
  if (reference.has_value() != ours.ok()) {
    return reference ? "nlohmann writes it, ours refuses (" + ours.error().message() + ")"
                     : "nlohmann refuses, ours writes " + *ours;
  }
  if (reference && *reference != *ours) return "texts differ: " + *reference + " vs " + *ours;
  if (!ours.ok() && ours.error().code() != ErrorCode::kInvalidArgument) return "wrong code: " + ours.error().to_string();
  return {};
}

std::string printable(const Json& v) { return v.dump(-1, ' ', true, Json::error_handler_t::replace); }

TEST(JsonWriter, AgreesWithNlohmannOnStrings) {
  std::vector<std::string> cases = {
      "", "a", "abcdefgh", "abcdefghi", "\"", "\\", "/", "\x7f", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
      "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xEF\xBF\xBF", "\xED\x9F\xBF", "\xEE\x80\x80", "\xF0\x90\x80\x80",
      "\xF4\x8F\xBF\xBF", "\xEF\xBB\xBF",
      // invalid: lone continuation, overlong, surrogate, above U+10FFFF, bad lead bytes, truncated
      "\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xED\xBF\xBF",
      "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xF8\x88\x80\x80\x80", "\xFE",
      "\xFF", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xC3x", "\xE2\x82x", "\xF0\x9F\x98x", "\xC3\xC3\xA9",
      "abc\xC3", "abcdefg\xC3", "abcdefgh\xC3\xA9ijklmnop\xFF", "\xE2\x28\xA1", "\xF0\x28\x8C\xBC",
  };
  for (int c = 0; c < 0x20; ++c) cases.push_back(std::string(1, static_cast<char>(c)));
  // Every special byte at every position of strings around the 8-byte block boundaries.
  for (const std::string& special : {std::string("\""), std::string("\\"), std::string(1, '\0'), std::string("\x1f"),
                                    std::string("\n"), std::string("\xC3\xA9"), std::string("\xC3"), std::string("\x80"),
                                    std::string("\xF0\x9F\x98\x80"), std::string("\x7f"), std::string(" ")}) {
    for (std::size_t len = 0; len <= 20; ++len) {
      for (std::size_t at = 0; at <= len; ++at) {
        std::string s(len, 'x');
        s.insert(at, special);
        cases.push_back(s);
      }
    }
  }
  for (const auto& s : cases) {
    EXPECT_EQ(disagreement(Json(s)), "") << printable(Json(s));
    EXPECT_EQ(disagreement(Json{{s, 1}}), "") << "as a key: " << printable(Json(s));
    EXPECT_EQ(disagreement(Json::array({1, Json{{"k", s}}, "z"})), "") << "nested: " << printable(Json(s));
  }
}

TEST(JsonWriter, AgreesWithNlohmannOnScalarsAndContainers) {
  using I = std::numeric_limits<std::int64_t>;
  using U = std::numeric_limits<std::uint64_t>;
  using D = std::numeric_limits<double>;
  const std::vector<Json> cases = {
      Json(), true, false, 0, -1, 1, 9, 10, 99, 100, -100, I::max(), I::min(), I::min() + 1, U::max(), U::max() - 1,
      std::uint64_t{1} << 63, 0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, -1.25e-3, 1e21, 1e22, 1e-5, 1e-6, 1e-7, 1e15, 1e16,
      1e17, 123456789012345680.0, 0.30000000000000004, 1.7976931348623157e308, 2.2250738585072014e-308, 5e-324,
      4.9406564584124654e-324, D::min(), D::max(), D::lowest(), D::denorm_min(), D::epsilon(), D::infinity(),
      -D::infinity(), D::quiet_NaN(), -D::quiet_NaN(), 100.0, 1234567.0, 20240101.0, 3.14159, -2.5e-300,
      Json::object(), Json::array(), Json::array({Json::object(), Json::array(), Json::array({Json::array()})}),
      Json{{"a", Json::object()}, {"b", Json::array()}, {"c", nullptr}},
      Json::binary({}), Json::binary({1, 2, 255}), Json::binary({7}, 42), Json::array({Json::binary({0}, 0)}),
      Json(Json::value_t::discarded), Json::array({Json(Json::value_t::discarded)}),
  };
  for (const auto& v : cases) EXPECT_EQ(disagreement(v), "") << printable(v);
  // Key order as inserted (ordered_json), not sorted.
  Json ordered = Json::object();
  ordered["z"] = 1, ordered["a"] = 2, ordered["m"] = Json::array({3});
  EXPECT_EQ(detail::write_compact_json(ordered).value(), R"({"z":1,"a":2,"m":[3]})");
}

TEST(JsonWriter, AgreesWithNlohmannOnRandomDoubles) {
  std::mt19937_64 rng(16);
  for (int i = 0; i < 50'000; ++i) {
    const std::uint64_t bits = rng();
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    ASSERT_EQ(disagreement(Json(d)), "") << bits;
    // Short decimal values too, the kind entities carry (measurements, dosages).
    const double decimal = static_cast<double>(static_cast<std::int64_t>(rng() % 2'000'001) - 1'000'000) /
                           std::pow(10.0, static_cast<double>(rng() % 12));
    ASSERT_EQ(disagreement(Json(decimal)), "") << decimal;
  }
}

// A random tree whose strings (keys included) hold random bytes, so some are not valid UTF-8.
Json random_tree(std::mt19937& rng, int depth) {
  const auto random_string = [&rng] {
    static const std::string pieces[] = {"a", "bcdefghij", "\"", "\\", "\n", "\x01", "\x7f", "\xC3\xA9",
                                         "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xED\xA0\x80", "\xC3", "\x80", "/"};
    std::string s;
    const std::size_t n = rng() % 6;
    for (std::size_t i = 0; i < n; ++i) {
      // Mostly valid pieces; now and then one random byte.
      s += rng() % 16 == 0 ? std::string(1, static_cast<char>(rng() % 256)) : pieces[rng() % std::size(pieces)];
    }
    return s;
  };
  switch (depth <= 0 ? rng() % 6 : rng() % 8) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<std::int64_t>(rng()) - (std::int64_t{1} << 31);
    case 3: return (static_cast<std::uint64_t>(rng()) << 32) | rng();
    case 4: return static_cast<double>(static_cast<std::int32_t>(rng())) / 977.0;
    case 5: return random_string();
    case 6: {
      Json a = Json::array();
      for (std::size_t i = rng() % 4; i > 0; --i) a.push_back(random_tree(rng, depth - 1));
      return a;
    }
    default: {
      Json o = Json::object();
      for (std::size_t i = rng() % 4; i > 0; --i) o[random_string()] = random_tree(rng, depth - 1);
      return o;
    }
  }
}

TEST(JsonWriter, AgreesWithNlohmannOnRandomTrees) {
  std::mt19937 rng(16);
  int refused = 0;
  for (int round = 0; round < 10'000; ++round) {
    const Json tree = random_tree(rng, 5);
    // Small buffers too, so that growing the buffer is exercised.
    ASSERT_EQ(disagreement(tree, round % 3 == 0 ? 1 : 1024), "") << printable(tree);
    refused += detail::write_compact_json(tree).ok() ? 0 : 1;
  }
  // Both outcomes were exercised.
  EXPECT_GT(refused, 100);
  EXPECT_LT(refused, 9'900);
}

TEST(JsonWriter, AgreesWithNlohmannOnMutatedDocuments) {
  const std::vector<std::string> seeds = {
      R"({"id":"he-1","rev":"1-a","codes":[{"type":"ICD","code":"I10"}],"valueDate":20240101,"status":0,)"
      R"("note":"caf\u00e9 \"quoted\" \ud83d\ude00 é \u0001\u001f\u007f","score":-1.25e-3,"ok":true,"x":null,)"
      R"("big":18446744073709551615,"neg":-9223372036854775808,"f":[0.1,1e300,5e-324,-0.0,1E2]})",
      R"([{"a":[1,2,[3,{"b":"c"}]],"d":{"e":{"f":[]}}},-0,0.5,"\n\t\\\/\b\f\r",false,{}])",
  };
  const std::string alphabet = "{}[]:,\"\\ -+.0123456789eEtrufalsn\t\n\xC3\xA9\xE2\x82\xAC\x7f";
  std::mt19937 rng(16);
  int compared = 0;
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
    auto parsed = parse_json(text);
    if (!parsed.ok()) continue;
    ASSERT_EQ(disagreement(*parsed), "") << "input: " << printable(Json(text));
    ++compared;
  }
  EXPECT_GT(compared, 2'000);
}

TEST(JsonWriter, InvalidUtf8IsAnErrorNamingWhereNeverTheContent) {
  Json doc = parse_json(R"({"id":"he-1","notes":[{"author":"x","markdown":"ok"}]})").value();
  doc["notes"][0]["markdown"] = std::string("private \xC3 text");
  auto r = detail::write_compact_json(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("byte 8 of the string at /notes/0/markdown"), std::string::npos)
      << r.error().message();
  EXPECT_EQ(r.error().message().find("private"), std::string::npos);

  Json bad_key = Json::object();
  bad_key["a"] = Json::array({Json{{std::string("k\xFF"), 1}}});
  r = detail::write_compact_json(bad_key);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("byte 1 of the key of a member of /a/0"), std::string::npos)
      << r.error().message();
  EXPECT_NE(detail::write_compact_json(Json(std::string("\xFF"))).error().message().find("the root"),
            std::string::npos);
}

TEST(JsonWriter, LargeAndDeepValuesWithoutRecursion) {
  // 1 MiB of text through a 64-byte starting buffer.
  Json big = Json::array({std::string(1 << 20, 'a') + "\n\xC3\xA9" + std::string(1000, '"')});
  EXPECT_EQ(disagreement(big, 1), "");
  // Nested far deeper than any parser accepts (built in memory): no stack overflow.
  constexpr int kDepth = 200'000;
  Json deep = Json::array();
  for (int i = 0; i < kDepth; ++i) deep = Json::array({std::move(deep), Json::object({{"k", i}})});
  auto text = detail::write_compact_json(deep);
  ASSERT_OK(text);
  std::size_t expected = 2 + static_cast<std::size_t>(kDepth) * 2;  // "[]" and each level's brackets
  for (int i = 0; i < kDepth; ++i) expected += 7 + std::to_string(i).size();  // ,{"k":i}
  EXPECT_EQ(text->size(), expected);
  EXPECT_EQ(text->find(']'), static_cast<std::size_t>(kDepth) + 1);  // all the opening brackets first
  EXPECT_NE(text->find("[[],{\"k\":0}],{\"k\":1}],{\"k\":2}]"), std::string::npos);
  EXPECT_TRUE(text->ends_with("],{\"k\":199999}]"));
}

}  // namespace
}  // namespace cardinal
