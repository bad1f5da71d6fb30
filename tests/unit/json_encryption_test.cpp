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

// The plaintext of an encryptedSelf (what the official SDK parses).
std::string sealed_text(const Json& encrypted_self, const crypto::AesKey& key) {
  auto ct = crypto::base64_decode(encrypted_self.get<std::string>());
  if (!ct.ok()) return "(not base64)";
  auto plain = crypto::aes_cbc::decrypt(key, *ct);
  return plain.ok() ? std::string(plain->reveal_as_text()) : "(does not decrypt)";
}

TEST(JsonEncryption, SealedTextIsExactlyNlohmannsCompactDump) {
  auto m = EncryptedFieldsManifest::parse({"descr", "note", "score", "big", "notes[].markdown"});
  ASSERT_OK(m);
  const auto key = new_key();
  const Json entity = parse(R"({"id":"he-1","descr":"caf\u00e9 \"q\" \\ / \u0001\u001f\u007f\n\t漢 \ud83d\ude00",
    "note":null,"score":-1.25e-3,"big":18446744073709551615,"code":"I10",
    "notes":[{"markdown":"m\u00e9","author":"x"}]})");
  auto enc = encrypt_json(entity, key, *m, Json{{"id", "he-1"}});
  ASSERT_OK(enc);
  // Members in the order of the entity, then the bound ones; nlohmann's compact form byte for byte.
  const Json top = Json{{"descr", entity["descr"]}, {"note", nullptr}, {"score", entity["score"]},
                        {"big", entity["big"]}, {"id", "he-1"}};
  EXPECT_EQ(sealed_text((*enc)["encryptedSelf"], key), top.dump(-1, ' ', false, Json::error_handler_t::strict));
  EXPECT_EQ(sealed_text((*enc)["encryptedSelf"], key),
            "{\"descr\":\"caf\xC3\xA9 \\\"q\\\" \\\\ / \\u0001\\u001f\x7f\\n\\t\xE6\xBC\xA2 \xF0\x9F\x98\x80\","
            "\"note\":null,\"score\":-0.00125,\"big\":18446744073709551615,\"id\":\"he-1\"}");
  EXPECT_EQ(sealed_text((*enc)["notes"][0]["encryptedSelf"], key), "{\"markdown\":\"m\xC3\xA9\"}");
}

TEST(JsonEncryption, InvalidUtf8InAFieldToEncryptIsAnErrorValue) {
  auto m = EncryptedFieldsManifest::parse({"descr", "notes[].markdown"});
  ASSERT_OK(m);
  const auto key = new_key();
  Json entity = parse(R"({"id":"x","notes":[{"markdown":"m"}]})");
  entity["notes"][0]["markdown"] = std::string("bad \xC3");
  auto r = encrypt_json(entity, key, *m);
  EXPECT_ERROR_CODE(r, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("invalid UTF-8"), std::string::npos) << r.error().message();
  Json everything = parse(R"({"id":"x"})");
  everything["descr"] = std::string("\xFF");
  EXPECT_ERROR_CODE(encrypt_json(everything, key, EncryptedFieldsManifest::parse({"*"}).value()),
                    ErrorCode::kInvalidArgument);
}

TEST(JsonEncryption, MovedEntityEncryptsLikeACopiedOne) {
  auto m = EncryptedFieldsManifest::parse({"descr", "notes[].markdown", "addr.street", "tags.*.label"});
  ASSERT_OK(m);
  const auto key = new_key();
  const Json entity = parse(R"({"id":"he-1","descr":"d","notes":[{"markdown":"m","a":1},null],"code":"c",
    "addr":{"street":"s","city":"b"},"tags":{"t":{"label":"l","k":2}},"other":[1,{"x":"y"}]})");
  auto copied = encrypt_json(entity, key, *m);
  ASSERT_OK(copied);
  Json owned = entity;
  auto moved = encrypt_json(std::move(owned), key, *m);
  ASSERT_OK(moved);
  // Same clear members in the same order, the same sealed texts (fresh IVs aside).
  ASSERT_EQ(moved->size(), copied->size());
  for (auto a = moved->begin(), b = copied->begin(); a != moved->end(); ++a, ++b) EXPECT_EQ(a.key(), b.key());
  EXPECT_EQ(sealed_text((*moved)["encryptedSelf"], key), sealed_text((*copied)["encryptedSelf"], key));
  EXPECT_EQ(sealed_text((*moved)["encryptedSelf"], key), R"({"descr":"d"})");
  EXPECT_EQ(sealed_text((*moved)["notes"][0]["encryptedSelf"], key), R"({"markdown":"m"})");
  EXPECT_EQ(sealed_text((*moved)["tags"]["t"]["encryptedSelf"], key), R"({"label":"l"})");
  EXPECT_EQ((*moved)["other"], entity["other"]);
  EXPECT_TRUE((*moved)["notes"][1].is_null());
  auto dec = decrypt_json(std::move(moved).value(), {&key});
  ASSERT_OK(dec);
  EXPECT_EQ((*dec)["descr"], "d");
  EXPECT_EQ((*dec)["addr"]["street"], "s");
  // An unchanged encryptedSelf is kept on the moving path too.
  auto again = encrypt_json(Json(*dec), key, *m);
  ASSERT_OK(again);
  EXPECT_EQ((*again)["encryptedSelf"], (*dec)["encryptedSelf"]);
  EXPECT_EQ((*again)["notes"][0]["encryptedSelf"], (*dec)["notes"][0]["encryptedSelf"]);
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
