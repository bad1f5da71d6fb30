// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/json_encryption.hpp"

#include <cardinal/crypto/encoding.hpp>

#include "test_util.hpp"

namespace cardinal::engine {
namespace {

Json parse(const char* text) { return parse_json(text).value(); }

crypto::AesKey new_key() { return crypto::AesKey::generate().value(); }

TEST(JsonEncryption, RoundTripWithNestedArraysAndMaps) {
  auto m =
      EncryptedFieldsManifest::parse({"descr", "note", "notes[].markdown", "addr.street", "tags.*.label", "ins[].*"});
  ASSERT_OK(m);
  const Json entity = parse(R"({"id":"he-1","rev":"1-a","descr":"Hypertension é€漢","note":null,"code":"I10",
    "notes":[{"markdown":"secret note","author":"x"},null],"addr":{"street":"Main 1","city":"Brussels"},
    "tags":{"t1":{"label":"Label one","k":1}},"ins":[{"nr":"nr 123","valid":true}],"unknownField":{"kept":[1,2.5,"x"]}})");
  const auto key = new_key();
  auto enc = encrypt_json(entity, key, *m);
  ASSERT_OK(enc);
  const std::string text = enc->dump();
  // (Secrets with a space: they cannot occur by chance inside base64.)
  for (const char* secret : {"Hypertension", "secret note", "Main 1", "Label one", "nr 123"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }
  EXPECT_FALSE(enc->contains("descr"));
  EXPECT_FALSE(enc->contains("note"));  // present with null: still encrypted
  EXPECT_EQ((*enc)["code"], "I10");
  EXPECT_EQ((*enc)["notes"][0]["author"], "x");
  EXPECT_TRUE((*enc)["notes"][0].contains("encryptedSelf"));
  EXPECT_TRUE((*enc)["notes"][1].is_null());
  EXPECT_EQ((*enc)["addr"]["city"], "Brussels");
  EXPECT_EQ((*enc)["unknownField"], entity["unknownField"]);
  EXPECT_EQ((*enc)["ins"][0].size(), 1u);  // only encryptedSelf

  DecryptionFindings findings;
  auto dec = decrypt_json(*enc, {&key}, &findings);
  ASSERT_OK(dec);
  Json without = *dec;
  // decryption keeps encryptedSelf; everything else equals the input
  std::function<void(Json&)> strip = [&](Json& j) {
    if (j.is_object()) {
      j.erase("encryptedSelf");
      for (auto& [k, v] : j.items()) strip(v);
    } else if (j.is_array()) {
      for (auto& v : j) strip(v);
    }
  };
  strip(without);
  // Decrypted fields are merged after the clear ones at each level: compare ignoring key order.
  const Json& expected = entity;
  EXPECT_EQ(nlohmann::json::parse(without.dump()), nlohmann::json::parse(expected.dump()));
  EXPECT_TRUE(findings.clear_and_encrypted.empty());
}

TEST(JsonEncryption, EmptySecretStillGetsEncryptedSelfAndIsStableWhenUnchanged) {
  auto m = EncryptedFieldsManifest::parse({"descr"});
  ASSERT_OK(m);
  const auto key = new_key();
  auto enc = encrypt_json(parse(R"({"id":"x"})"), key, *m);
  ASSERT_OK(enc);
  ASSERT_TRUE(enc->contains("encryptedSelf"));
  auto dec = decrypt_json(*enc, {&key});
  ASSERT_OK(dec);
  // Re-encrypting the decrypted entity without change keeps the same ciphertext.
  auto again = encrypt_json(*dec, key, *m);
  ASSERT_OK(again);
  EXPECT_EQ((*again)["encryptedSelf"], (*enc)["encryptedSelf"]);
  Json changed = *dec;
  changed["descr"] = "new";
  auto third = encrypt_json(changed, key, *m);
  ASSERT_OK(third);
  EXPECT_NE((*third)["encryptedSelf"], (*enc)["encryptedSelf"]);
}

TEST(JsonEncryption, WrongKeyAndGarbageFailCleanly) {
  auto m = EncryptedFieldsManifest::parse({"descr"});
  ASSERT_OK(m);
  const auto key = new_key();
  const auto other = new_key();
  auto enc = encrypt_json(parse(R"({"descr":"d"})"), key, *m);
  ASSERT_OK(enc);
  EXPECT_ERROR_CODE(decrypt_json(*enc, {&other}), ErrorCode::kDecryptionFailed);
  EXPECT_ERROR_CODE(decrypt_json(*enc, {}), ErrorCode::kDecryptionFailed);
  auto two = decrypt_json(*enc, {&other, &key});  // the first key that works wins
  ASSERT_OK(two);
  EXPECT_EQ((*two)["descr"], "d");
  Json bad = *enc;
  bad["encryptedSelf"] = "%%%";
  EXPECT_ERROR_CODE(decrypt_json(bad, {&key}), ErrorCode::kDecryptionFailed);
  bad["encryptedSelf"] = 42;
  EXPECT_ERROR_CODE(decrypt_json(bad, {&key}), ErrorCode::kMalformedInput);
  // encryptedSelf of valid AES but not a JSON object
  auto ct = crypto::aes_cbc::encrypt(key, as_bytes("[1,2]"));
  ASSERT_OK(ct);
  bad["encryptedSelf"] = crypto::base64_encode(*ct);
  EXPECT_ERROR_CODE(decrypt_json(bad, {&key}), ErrorCode::kDecryptionFailed);
}

TEST(JsonEncryption, ClearAndEncryptedFieldIsReportedAndEncryptedWins) {
  auto m = EncryptedFieldsManifest::parse({"descr"});
  ASSERT_OK(m);
  const auto key = new_key();
  auto enc = encrypt_json(parse(R"({"descr":"real"})"), key, *m);
  ASSERT_OK(enc);
  Json tampered = *enc;
  tampered["descr"] = "injected by server";
  DecryptionFindings findings;
  auto dec = decrypt_json(tampered, {&key}, &findings);
  ASSERT_OK(dec);
  EXPECT_EQ((*dec)["descr"], "real");
  ASSERT_EQ(findings.clear_and_encrypted.size(), 1u);
  EXPECT_EQ(findings.clear_and_encrypted[0], "descr");
}

TEST(JsonEncryption, TypeMismatchAndDepth) {
  auto m = EncryptedFieldsManifest::parse({"notes[].markdown", "addr.street"});
  ASSERT_OK(m);
  const auto key = new_key();
  EXPECT_ERROR_CODE(encrypt_json(parse(R"({"notes":"x"})"), key, *m), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(encrypt_json(parse(R"({"notes":[1]})"), key, *m), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(encrypt_json(parse(R"({"addr":[]})"), key, *m), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(encrypt_json(parse("[]"), key, *m), ErrorCode::kInvalidArgument);
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 100; ++i) deep += "}";
  EXPECT_ERROR_CODE(decrypt_json(parse(deep.c_str()), {&key}), ErrorCode::kMalformedInput);
}

TEST(JsonEncryption, ClearFieldsRequiringEncryption) {
  auto m = EncryptedFieldsManifest::parse({"descr", "notes[].markdown", "ins[].*"});
  ASSERT_OK(m);
  auto found = clear_fields_requiring_encryption(
      parse(R"({"descr":"x","code":"y","notes":[{"markdown":"m"},{"a":1}],"ins":[{"nr":"1"}]})"), *m);
  EXPECT_EQ(found, (std::vector<std::string>{"descr", "ins[0].nr", "notes[0].markdown"}));
  EXPECT_TRUE(clear_fields_requiring_encryption(parse(R"({"code":"y","descr":null})"), *m).empty());
}

}  // namespace
}  // namespace cardinal::engine

#include <cardinal/content/entity_content.hpp>

namespace cardinal::engine {
namespace {

TEST(EntityContent, SwappedContentIsRefusedLikeTheSdkDoes) {
  auto m = EncryptedFieldsManifest::parse({"descr"});
  ASSERT_OK(m);
  const auto key = crypto::AesKey::generate().value();
  auto a = encrypt_json(parse(R"({"id":"a","descr":"A"})"), key, *m, Json{{"id", "a"}});
  ASSERT_OK(a);
  Json b = parse(R"({"id":"b"})");
  b["encryptedSelf"] = (*a)["encryptedSelf"];
  EXPECT_ERROR_CODE(decrypt_entity_content(b, {key}), ErrorCode::kTamperDetected);
  auto own = decrypt_entity_content(*a, {key});
  ASSERT_OK(own);
  EXPECT_EQ((*own)["descr"], "A");
}

}  // namespace
}  // namespace cardinal::engine
