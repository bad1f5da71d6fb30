// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/keys/verification.hpp>

#include "test_util.hpp"

#include <sys/stat.h>
#include <filesystem>
#include <regex>

namespace cardinal::keys {
namespace {

std::string official_key(const std::string& owner) {
  auto doc = parse_json(testing::read_file(testing::shared_path("vectors/official-sdk/rc7-hcp-share.json"))).value();
  return doc["dataOwners"][owner]["dataOwner"]["publicKeysForOaepWithSha256"][0].get<std::string>();
}

std::string owner_at(std::size_t i) {
  auto doc = parse_json(testing::read_file(testing::shared_path("vectors/official-sdk/rc7-hcp-share.json"))).value();
  auto it = doc["dataOwners"].begin();
  std::advance(it, static_cast<long>(i));
  return it.key();
}

TEST(VerificationCode, ShapeAndStability) {
  const std::string a = owner_at(0), b = owner_at(1);
  auto code = verification_code(a, official_key(a));
  ASSERT_OK(code);
  EXPECT_TRUE(std::regex_match(*code, std::regex(R"((\d{5} ){11}\d{5})"))) << *code;
  EXPECT_EQ(*verification_code(a, official_key(a)), *code);               // deterministic
  EXPECT_NE(*verification_code(b, official_key(b)), *code);               // another key
  EXPECT_NE(*verification_code("someone-else", official_key(a)), *code);  // bound to the owner id
  auto qr = verification_qr_payload(a, official_key(a));
  ASSERT_OK(qr);
  EXPECT_TRUE(std::regex_match(*qr, std::regex("cvc1:[0-9a-f]{64}")));
  EXPECT_ERROR_CODE(verification_code(a, "abcd"), ErrorCode::kMalformedInput);
}

// Pins the algorithm: a change of these digits breaks every code users compared before.
TEST(VerificationCode, KnownAnswer) {
  const std::string key = official_key("hcp-alice-q7");
  auto code = verification_code("hcp-alice-q7", key);
  ASSERT_OK(code);
  // Cross-checked with an independent Python implementation of the documented algorithm.
  EXPECT_EQ(*code, "44080 09919 00737 97223 90167 47984 68900 62807 17812 45840 98321 33525");
}

TEST(VerificationCode, PairIsOrderIndependent) {
  const std::string a = owner_at(0), b = owner_at(1);
  auto ab = pair_verification_code(a, official_key(a), b, official_key(b));
  auto ba = pair_verification_code(b, official_key(b), a, official_key(a));
  ASSERT_OK(ab);
  ASSERT_OK(ba);
  EXPECT_EQ(*ab, *ba);
  EXPECT_TRUE(std::regex_match(*ab, std::regex(R"((\d{5} ){11}\d{5})")));
}

struct PinFile {
  std::filesystem::path path;
  PinFile() {
    char t[] = "/tmp/cardinal-pins-XXXXXX";
    path = std::filesystem::path(mkdtemp(t)) / "pins.json";
  }
  ~PinFile() { std::filesystem::remove_all(path.parent_path()); }
};

TEST(PinnedKeyVerifier, TrustOnFirstUseThenNeverAChangedKeySilently) {
  PinFile file;
  const std::string a = owner_at(0), b = owner_at(1);
  const std::string real = official_key(a), other = official_key(b);
  {
    auto v = PinnedKeyVerifier::open(file.path);
    ASSERT_OK(v);
    EXPECT_EQ((*v)->verify(a, {real}), std::vector<std::string>{real});         // first use: pinned
    EXPECT_EQ((*v)->verify(a, {real, other}), std::vector<std::string>{real});  // added key: refused
  }
  struct stat st {};
  ASSERT_EQ(::stat(file.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto v = PinnedKeyVerifier::open(file.path);  // pins survive a restart
  ASSERT_OK(v);
  EXPECT_EQ((*v)->pinned(a), std::vector<std::string>{real});
  EXPECT_TRUE((*v)->verify(a, {other}).empty());  // replaced key: refused
  EXPECT_TRUE((*v)->verify(a, {"zz"}).empty());
}

TEST(PinnedKeyVerifier, CallbackDecidesNewAndChangedKeys) {
  PinFile file;
  const std::string a = owner_at(0), b = owner_at(1);
  const std::string real = official_key(a), other = official_key(b);
  std::vector<PinnedKeyVerifier::KeyEvent> events;
  auto v = PinnedKeyVerifier::open(file.path, [&](const PinnedKeyVerifier::KeyEvent& e) {
    events.push_back(e);
    return e.owner_has_other_pins ? PinnedKeyVerifier::Decision::kReject : PinnedKeyVerifier::Decision::kAccept;
  });
  ASSERT_OK(v);
  EXPECT_EQ((*v)->verify(a, {real}), std::vector<std::string>{real});
  EXPECT_EQ((*v)->verify(a, {real, other}), std::vector<std::string>{real});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].owner_has_other_pins);
  EXPECT_TRUE(events[1].owner_has_other_pins);
  EXPECT_EQ(events[1].spki_hex, other);
  EXPECT_EQ(events[1].code, *verification_code(a, other));
  // An explicit pin after an out-of-band check.
  ASSERT_OK((*v)->pin(a, other));
  EXPECT_EQ((*v)->verify(a, {real, other}).size(), 2u);
  EXPECT_ERROR_CODE((*v)->pin(a, "not a key"), ErrorCode::kMalformedInput);
}

TEST(PinnedKeyVerifier, MalformedPinFileIsAnError) {
  PinFile file;
  std::ofstream(file.path) << "{\"version\":1,\"pins\":{\"a\":3}}";
  EXPECT_ERROR_CODE(PinnedKeyVerifier::open(file.path), ErrorCode::kMalformedInput);
  std::ofstream(file.path) << "not json";
  EXPECT_ERROR_CODE(PinnedKeyVerifier::open(file.path), ErrorCode::kMalformedInput);
}

}  // namespace
}  // namespace cardinal::keys
