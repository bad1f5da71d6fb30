// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Contacts and services encrypted as the official SDK does (crypto-spec.md §6.5).
#include "engine/contact_encryption.hpp"

#include "engine/json_encryption.hpp"
#include "test_util.hpp"

namespace cardinal::engine {
namespace {

Json parse(const char* text) { return parse_json(text).value(); }

ContactManifests platform() {
  return ContactManifests{EncryptedFieldsManifest::platform_default("Contact").value(),
                          EncryptedFieldsManifest::platform_default("Service").value()};
}

// Medical values carry a space: they cannot occur by chance inside base64.
const char* kContact = R"({"id":"c-1","rev":"1-a","descr":"follow up visit","tags":[{"id":"t"}],
  "subContacts":[{"id":"sc-1","healthElementId":"he-1","services":[{"serviceId":"s-1"}]}],
  "services":[
    {"id":"s-1","label":"weight","comment":"patient comment","tags":[{"id":"LOINC|29463-7"}],
     "notes":[{"markdown":"service note x","author":"a"}],
     "content":{"en":{"measureValue":{"value":72.5,"unit":"kg"},"stringValue":"seventy two"}}},
    {"id":"s-2","label":"panel",
     "content":{"en":{"compoundValue":[
       {"id":"s-2a","label":"glucose","content":{"en":{"stringValue":"high glucose"}}},
       {"id":"s-2b","label":"nested","content":{"fr":{"compoundValue":[
         {"id":"s-2b1","content":{"fr":{"stringValue":"deep value"}}}]}}}]}}},
    {"id":"s-3","label":"empty"}]})";

TEST(ContactEncryption, EveryServiceContentIsEncryptedWithTheContactKey) {
  const auto key = crypto::AesKey::generate().value();
  const Json contact = parse(kContact);
  auto enc = encrypt_contact(contact, key, platform());
  ASSERT_OK(enc);
  const std::string text = enc->dump();
  for (const char* secret : {"follow up visit", "patient comment", "service note x", "seventy two", "high glucose",
                             "deep value", "72.5"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }
  const Json& s1 = (*enc)["services"][0];
  EXPECT_FALSE(s1.contains("content"));  // non-compound: content inside the service's encryptedSelf
  EXPECT_FALSE(s1.contains("comment"));
  EXPECT_TRUE(s1.contains("encryptedSelf"));
  EXPECT_EQ(s1["label"], "weight");  // clear, as the platform keeps it
  EXPECT_EQ(s1["tags"][0]["id"], "LOINC|29463-7");
  EXPECT_TRUE(s1["notes"][0].contains("encryptedSelf"));
  // Compound: the service keeps a clear content map whose sub-services are encrypted one by one.
  const Json& s2 = (*enc)["services"][1];
  ASSERT_TRUE(s2["content"]["en"].contains("compoundValue"));
  EXPECT_EQ(s2["content"]["en"].size(), 1u);
  const Json& s2a = s2["content"]["en"]["compoundValue"][0];
  EXPECT_EQ(s2a["id"], "s-2a");
  EXPECT_FALSE(s2a.contains("content"));
  EXPECT_TRUE(s2a.contains("encryptedSelf"));
  const Json& s2b1 = s2["content"]["en"]["compoundValue"][1]["content"]["fr"]["compoundValue"][0];
  EXPECT_FALSE(s2b1.contains("content"));
  EXPECT_TRUE(s2b1.contains("encryptedSelf"));
  // A service without content still gets its (empty) encryptedSelf, as the official SDK does.
  EXPECT_TRUE((*enc)["services"][2].contains("encryptedSelf"));
  // subContacts are not in the Contact manifest: they stay clear (ids only, in the platform).
  EXPECT_EQ((*enc)["subContacts"], contact["subContacts"]);

  auto dec = decrypt_json(*enc, {&key});
  ASSERT_OK(dec);
  EXPECT_EQ((*dec)["descr"], "follow up visit");
  EXPECT_EQ((*dec)["services"][0]["content"]["en"]["stringValue"], "seventy two");
  EXPECT_EQ((*dec)["services"][0]["content"]["en"]["measureValue"]["value"], 72.5);
  EXPECT_EQ((*dec)["services"][0]["comment"], "patient comment");
  EXPECT_EQ((*dec)["services"][1]["content"]["en"]["compoundValue"][0]["content"]["en"]["stringValue"],
            "high glucose");
  EXPECT_EQ((*dec)["services"][1]["content"]["en"]["compoundValue"][1]["content"]["fr"]["compoundValue"][0]["content"]
               ["fr"]["stringValue"],
            "deep value");
}

TEST(ContactEncryption, CompoundMeansOnlyACompoundValue) {
  EXPECT_TRUE(is_compound_content(parse(R"({"compoundValue":[{"id":"x"}],"ratio":[],"range":null})")));
  EXPECT_FALSE(is_compound_content(parse(R"({"compoundValue":[]})")));
  EXPECT_FALSE(is_compound_content(parse(R"({"compoundValue":[{"id":"x"}],"stringValue":"also text"})")));
  EXPECT_FALSE(is_compound_content(parse(R"({"stringValue":"text"})")));
  // One non-compound language makes the whole content encrypted.
  const auto key = crypto::AesKey::generate().value();
  auto enc = encrypt_contact(parse(R"({"id":"c","services":[{"id":"s","content":{
      "en":{"compoundValue":[{"id":"x","content":{"en":{"stringValue":"sub text"}}}]},
      "fr":{"stringValue":"texte libre"}}}]})"),
                             key, platform());
  ASSERT_OK(enc);
  EXPECT_FALSE((*enc)["services"][0].contains("content"));
  EXPECT_EQ(enc->dump().find("texte libre"), std::string::npos);
  EXPECT_EQ(enc->dump().find("sub text"), std::string::npos);
}

TEST(ContactEncryption, ManifestsThatWouldMishandleServicesAreRefused) {
  auto m = platform();
  m.contact = EncryptedFieldsManifest::parse({"descr", "services"}).value();
  const auto key = crypto::AesKey::generate().value();
  EXPECT_ERROR_CODE(encrypt_contact(parse(R"({"id":"c"})"), key, m), ErrorCode::kInvalidArgument);
  m = platform();
  m.service_base = EncryptedFieldsManifest::parse({"comment", "content"}).value();
  EXPECT_ERROR_CODE(encrypt_contact(parse(R"({"id":"c"})"), key, m), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(encrypt_contact(parse(R"({"id":"c","services":{"a":1}})"), key, platform()),
                    ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(encrypt_contact(parse(R"({"id":"c","services":["text"]})"), key, platform()),
                    ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cardinal::engine
