// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The SDK core against a real cardinal-devserver over HTTP: create, share (explicit and
// anonymous), decrypt, refuse; and nothing encrypted is stored in clear.

#include "api/sdk_core.hpp"
#include "devserver_process.hpp"
#include "httplib_api_call.hpp"
#include "test_util.hpp"

#include <filesystem>

namespace cardinal {
namespace {

struct Client {
  std::shared_ptr<keys::KeyStore> keys = std::make_shared<keys::InMemoryKeyStore>();
  std::vector<TamperReport> events;
  std::mutex events_mutex;
  std::unique_ptr<api::SdkCore> core;

  Status start(const testing::DevServer& server, const std::string& login,
               std::shared_ptr<CryptoStrategies> strategies = std::make_shared<BasicCryptoStrategies>()) {
    api::CoreOptions o;
    o.backend = std::make_shared<api::RestBackend>(testing::httplib_api_call("127.0.0.1", server.port(), login, "pw"));
    o.keys = keys;
    o.strategies = std::move(strategies);
    o.on_tamper = [this](const TamperReport& e) {
      std::lock_guard lock(events_mutex);
      events.push_back(e);
    };
    auto c = api::SdkCore::start(std::move(o));
    if (!c.ok()) return c.error();
    core = std::move(c).value();
    return {};
  }
};

bool file_contains(const std::string& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string data = testing::read_file(entry.path().string());
    if (data.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(SdkCoreIntegration, CreateShareDecryptAcrossUsers) {
  testing::DevServer server(":tmpfile:");
  Client alice, bob, carol, pat;
  ASSERT_OK(alice.start(server, "alice"));
  ASSERT_OK(bob.start(server, "bob"));
  ASSERT_OK(carol.start(server, "carol"));
  ASSERT_OK(pat.start(server, "pat"));
  EXPECT_TRUE(pat.core->self_anonymous());
  EXPECT_FALSE(alice.core->self_anonymous());

  // The patient record (alice), then a health element of that patient.
  auto patient = alice.core->create(
      "Patient", parse_json(R"({"firstName":"Pat","lastName":"P","note":"allergic to penicillin"})").value(), {});
  ASSERT_OK(patient);
  EXPECT_EQ(patient->entity["note"], "allergic to penicillin");
  const std::string patient_id = patient->entity["id"];
  CreateOptions he_options;
  he_options.owning_entity_id = patient_id;
  he_options.secret_foreign_keys.assign(patient->secret_ids.begin(), patient->secret_ids.end());
  auto he = alice.core->create(
      "HealthElement", parse_json(R"({"descr":"Severe asthma","note":"inhaler twice a day","status":0})").value(),
      he_options);
  ASSERT_OK(he);
  const std::string he_id = he->entity["id"];
  EXPECT_TRUE(he->can_write);

  ASSERT_OK(alice.core->share("HealthElement", he_id, "hcp-bob", AccessLevel::kRead));
  ASSERT_OK(alice.core->share("HealthElement", he_id, "pat-1", AccessLevel::kRead));

  auto by_bob = bob.core->get("HealthElement", he_id);
  ASSERT_OK(by_bob);
  EXPECT_EQ(by_bob->entity["descr"], "Severe asthma");
  EXPECT_FALSE(by_bob->can_write);

  ASSERT_OK(pat.core->exchange_data().load_all());  // exchange data created after the patient started
  auto by_pat = pat.core->get("HealthElement", he_id);
  ASSERT_OK(by_pat);
  EXPECT_EQ(by_pat->entity["note"], "inhaler twice a day");

  auto by_carol = carol.core->get("HealthElement", he_id);
  ASSERT_FALSE(by_carol.ok());
  EXPECT_TRUE(by_carol.error().code() == ErrorCode::kPermissionDenied ||
              by_carol.error().code() == ErrorCode::kNotFound)
      << by_carol.error().to_string();

  // Modify as alice; bob sees the change.
  Json changed = he->entity;
  auto fresh = alice.core->get("HealthElement", he_id);
  ASSERT_OK(fresh);
  changed = fresh->entity;
  changed["note"] = "inhaler three times a day";
  ASSERT_OK(alice.core->modify("HealthElement", changed));
  auto again = bob.core->get("HealthElement", he_id);
  ASSERT_OK(again);
  EXPECT_EQ(again->entity["note"], "inhaler three times a day");

  for (auto* c : {&alice, &bob, &pat}) {
    for (const auto& e : c->events) ADD_FAILURE() << e.record_kind << " " << e.record_id << ": " << e.error.to_string();
  }

  // Nothing the manifests encrypt is stored in clear.
  server.stop();
  const std::string dir = std::filesystem::path(server.db_path()).parent_path().string();
  for (const char* secret : {"Severe asthma", "inhaler", "penicillin"}) {
    EXPECT_FALSE(file_contains(dir, secret)) << secret << " found in clear in the server's database";
  }
  EXPECT_TRUE(file_contains(dir, "hcp-alice"));  // the grep itself works
}

TEST(SdkCoreIntegration, ExchangeDataIsReusedAcrossDevicesOfTheSameUser) {
  testing::DevServer server;
  Client alice, bob;
  ASSERT_OK(alice.start(server, "alice"));
  ASSERT_OK(bob.start(server, "bob"));
  auto he1 = alice.core->create("HealthElement", parse_json(R"({"descr":"one"})").value(),
                                {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(he1);
  // Second device of alice with the same key.
  Client alice2;
  alice2.keys = alice.keys;
  ASSERT_OK(alice2.start(server, "alice"));
  auto he2 = alice2.core->create("HealthElement", parse_json(R"({"descr":"two"})").value(),
                                 {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(he2);
  auto a = bob.core->get("HealthElement", he1->entity["id"].get<std::string>());
  auto b = bob.core->get("HealthElement", he2->entity["id"].get<std::string>());
  ASSERT_OK(a);
  ASSERT_OK(b);
  // Both were shared through one exchange data (bob opened exactly two: alice→bob and his own none).
  EXPECT_EQ(bob.core->exchange_data().openings(), 1u);
}

}  // namespace
}  // namespace cardinal

namespace cardinal {
namespace {

class DecidingStrategies : public BasicCryptoStrategies {
 public:
  explicit DecidingStrategies(KeyGenerationDecision d) : decision_(std::move(d)) {}
  KeyGenerationDecision generate_new_key_for_data_owner(const DataOwnerInfo& /*self*/) override { return decision_; }
  void notify_new_key_created(const crypto::RsaPublicKey& key) override { notified.push_back(key.spki_hex()); }
  std::vector<std::string> notified;

 private:
  KeyGenerationDecision decision_;
};

TEST(SdkCoreIntegration, KeyGenerationDecisions) {
  testing::DevServer server;
  // Deny: the start fails, nothing is published.
  {
    Client c;
    auto s =
        std::make_shared<DecidingStrategies>(KeyGenerationDecision{KeyGenerationDecision::Kind::kDeny, std::nullopt});
    auto r = c.start(server, "alice", s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kKeyNotAvailable);
    EXPECT_TRUE(s->notified.empty());
  }
  // Keyless: starts, but cannot create encrypted data.
  {
    Client c;
    auto s = std::make_shared<DecidingStrategies>(
        KeyGenerationDecision{KeyGenerationDecision::Kind::kKeyless, std::nullopt});
    ASSERT_OK(c.start(server, "alice", s));
    EXPECT_ERROR_CODE(c.core->create("HealthElement", Json{{"descr", "x"}}, {}), ErrorCode::kKeyNotAvailable);
  }
  // A provided OAEP-SHA-256 key pair is published and used; an OAEP-SHA-1 one is refused.
  {
    auto provided = crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256).value();
    Client c;
    auto s = std::make_shared<DecidingStrategies>(
        KeyGenerationDecision{KeyGenerationDecision::Kind::kUseProvided, provided});
    ASSERT_OK(c.start(server, "alice", s));
    EXPECT_EQ(c.core->self().public_keys_oaep_sha256.back(), provided.public_key().spki_hex());
    EXPECT_EQ(s->notified, std::vector<std::string>{provided.public_key().spki_hex()});
    ASSERT_OK(c.core->create("HealthElement", Json{{"descr", "x"}}, {}));
    Client sha1;
    auto s1 = std::make_shared<DecidingStrategies>(
        KeyGenerationDecision{KeyGenerationDecision::Kind::kUseProvided,
                              crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha1).value()});
    EXPECT_ERROR_CODE(sha1.start(server, "bob", s1), ErrorCode::kInvalidArgument);
  }
}

TEST(SdkCoreIntegration, AppVouchedRecoveredKeysAreRestoredOthersIgnored) {
  testing::DevServer server;
  Client first;
  ASSERT_OK(first.start(server, "alice"));
  auto he = first.core->create("HealthElement", Json{{"descr", "recovered"}}, {});
  ASSERT_OK(he);
  const auto original = first.keys->keys_of("hcp-alice").value().front().key;
  // A new device: the app recovers the key pair from its own backup through the hook, plus a
  // key the data owner does not publish (ignored).
  class Recovering : public BasicCryptoStrategies {
   public:
    std::vector<crypto::RsaPrivateKey> give;
    std::vector<SelfKeysStatus> asked;
    Result<std::map<std::string, RecoveredKeys>> recover_and_verify_self_hierarchy_keys(
        const std::vector<SelfKeysStatus>& keys) override {
      asked = keys;
      std::map<std::string, RecoveredKeys> out;
      out["hcp-alice"].recovered = give;
      return out;
    }
  };
  auto strategies = std::make_shared<Recovering>();
  strategies->give = {original, crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256).value()};
  Client second;
  ASSERT_OK(second.start(server, "alice", strategies));
  ASSERT_EQ(strategies->asked.size(), 1u);
  EXPECT_EQ(strategies->asked[0].unavailable_keys.size(), 1u);
  EXPECT_EQ(second.keys->keys_of("hcp-alice")->size(), 1u);  // only the published one was kept
  auto read = second.core->get("HealthElement", he->entity["id"]);
  ASSERT_OK(read);
  EXPECT_EQ(read->entity["descr"], "recovered");
}

}  // namespace
}  // namespace cardinal
