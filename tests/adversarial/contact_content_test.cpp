// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Medical content never reaches the server in clear: Contacts and their services, written through
// the public API, read back from the devserver's SQLite store as a compromised database would;
// and entity types without a known manifest are refused instead of stored in clear.

#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"
#include "tamper_db.hpp"
#include "test_util.hpp"

#include <sstream>

namespace cardinal {
namespace {

using testing::TamperDb;

Result<std::unique_ptr<CardinalSdk>> sign_in(const testing::DevServer& server, const std::string& login,
                                             std::map<std::string, EncryptedFieldsManifest> manifests = {}) {
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = login;
  o.password = SecretBytes::from_string("pw");
  o.key_store = std::make_shared<keys::InMemoryKeyStore>();
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  o.manifests = std::move(manifests);
  return CardinalSdk::initialize(std::move(o));
}

// Every medical value has a space so that it cannot occur by chance inside base64.
const char* kContact = R"({"descr":"contact about chest pain","location":"ward seven",
  "services":[
    {"id":"svc-1","label":"diagnosis","comment":"service comment text","notes":[{"markdown":"note markdown text"}],
     "content":{"en":{"stringValue":"suspected angina pectoris","numberValue":140.5}}},
    {"id":"svc-2","label":"vitals","content":{"en":{"compoundValue":[
      {"id":"svc-2a","label":"bp","content":{"en":{"stringValue":"blood pressure high"}}},
      {"id":"svc-2b","label":"hr","content":{"en":{"measureValue":{"value":112.25,"unit":"bpm"}}}}]}}}],
  "subContacts":[{"id":"sc-1","services":[{"serviceId":"svc-1"}]}]})";

TEST(ContactContent, NoServiceContentIsStoredInClear) {
  testing::DevServer server(":tmpfile:");
  auto alice = sign_in(server, "alice");
  auto bob = sign_in(server, "bob");
  ASSERT_OK(alice);
  ASSERT_OK(bob);
  CreateOptions share;
  share.share_with = {{"hcp-bob", AccessLevel::kRead}};
  auto typed = (*alice)->contacts().create(parse_json(kContact).value(), share);
  ASSERT_OK(typed);
  auto generic_api = (*alice)->entities("Contact");
  ASSERT_OK(generic_api);
  auto generic = (*generic_api)->create(parse_json(kContact).value(), share);  // same encryption
  ASSERT_OK(generic);

  TamperDb db(server.db_path());
  for (const auto& id : {typed->entity["id"].get<std::string>(), generic->entity["id"].get<std::string>()}) {
    const std::string stored = db.get("contacts", id).dump();
    for (const char* secret : {"chest pain", "ward seven", "service comment text", "note markdown text",
                               "angina pectoris", "140.5", "blood pressure high", "112.25",
                               // quoted: three bare letters appear in random base64 about once in 100 runs
                               "\"bpm\""}) {
      EXPECT_EQ(stored.find(secret), std::string::npos) << "'" << secret << "' stored in clear: " << stored;
    }
    // What the platform needs stays clear: ids, labels, the sub-contact links.
    EXPECT_NE(stored.find("svc-2a"), std::string::npos);
    EXPECT_NE(stored.find("\"sc-1\""), std::string::npos);

    auto read = (*bob)->contacts().get(id);
    ASSERT_OK(read);
    const Json& c = read->entity;
    EXPECT_EQ(c["descr"], "contact about chest pain");
    EXPECT_EQ(c["services"][0]["content"]["en"]["stringValue"], "suspected angina pectoris");
    EXPECT_EQ(c["services"][0]["comment"], "service comment text");
    EXPECT_EQ(c["services"][1]["content"]["en"]["compoundValue"][1]["content"]["en"]["measureValue"]["value"], 112.25);
  }

  // A modify keeps every service encrypted, the new one included.
  Json changed = typed->entity;
  changed["services"].push_back(Json{{"id", "svc-3"}, {"content", {{"en", {{"stringValue", "added later text"}}}}}});
  auto modified = (*alice)->contacts().modify(changed);
  ASSERT_OK(modified);
  const std::string stored = db.get("contacts", typed->entity["id"].get<std::string>()).dump();
  EXPECT_EQ(stored.find("added later text"), std::string::npos);
  EXPECT_EQ(stored.find("angina pectoris"), std::string::npos);
}

TEST(ContactContent, TypesWithoutAKnownManifestAreRefused) {
  testing::DevServer server;
  auto alice = sign_in(server, "alice");
  ASSERT_OK(alice);
  // Article: the official SDK has no manifest; storing it would put everything in clear.
  EXPECT_ERROR_CODE((*alice)->entities("Article"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE((*alice)->crypto().encrypt_new("Article", Json{{"name", "x"}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE((*alice)->entities("NoSuchType"), ErrorCode::kInvalidArgument);
  // Every other type entities() accepts has one.
  for (const char* type : {"HealthElement", "Patient", "Document", "Contact", "Message", "Form", "CalendarItem",
                           "AccessLog", "Invoice", "MaintenanceTask", "Receipt", "Topic", "Classification"}) {
    EXPECT_TRUE((*alice)->entities(type).ok()) << type;
  }
  // With a manifest given by the caller, Article is accepted and encrypted as told.
  // (bob: a second sign-in of alice with a fresh key store would be a new device without its key)
  auto with = sign_in(server, "bob", {{"Article", EncryptedFieldsManifest::parse({"*"}).value()}});
  ASSERT_OK(with);
  EXPECT_TRUE((*with)->entities("Article").ok());
  auto article = (*with)->crypto().encrypt_new("Article", Json{{"name", "article body text"}});
  ASSERT_OK(article);
  EXPECT_EQ(article->dump().find("article body text"), std::string::npos);
}

TEST(ContactContent, ManifestsThatWouldLeaveServicesInClearAreRefused) {
  testing::DevServer server;
  auto alice = sign_in(server, "alice", {{"Contact", EncryptedFieldsManifest::parse({"descr", "services"}).value()}});
  ASSERT_OK(alice);
  EXPECT_ERROR_CODE((*alice)->contacts().create(parse_json(kContact).value()), ErrorCode::kInvalidArgument);
  auto bad_service = sign_in(server, "bob", {{"Service", EncryptedFieldsManifest::parse({"content"}).value()}});
  ASSERT_OK(bad_service);
  EXPECT_ERROR_CODE((*bad_service)->contacts().create(parse_json(kContact).value()), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cardinal
