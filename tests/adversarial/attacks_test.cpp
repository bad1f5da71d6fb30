// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The threat model's attacks (shared/spec/threat-model.md), each against a real devserver whose
// SQLite store the test tampers directly between SDK calls. Each test asserts the required
// behaviour, that tampering was reported where it is detectable, and that an attacker holding the
// whole database plus every key it injected decrypts nothing shared after the injection.

#include <cardinal/crypto/encoding.hpp>

#include <cardinal/keys/verification.hpp>

#include "api/sdk_core.hpp"
#include "devserver_process.hpp"
#include "engine/access_control.hpp"
#include "engine/delegation_crypto.hpp"
#include "engine/entity_crypto.hpp"
#include "engine/json_encryption.hpp"
#include "httplib_api_call.hpp"
#include "memory_exchange_data_source.hpp"
#include "tamper_db.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

namespace cardinal {
namespace {

using testing::TamperDb;

/// Verifies delegate keys against pins taken before any attack (what an app does after an
/// out-of-band check); records every key it was asked about.
class PinningStrategies : public BasicCryptoStrategies {
 public:
  void pin(const std::string& owner, const std::string& spki) {
    std::lock_guard lock(mutex_);
    pins_[owner].insert(spki);
  }
  std::vector<std::string> verify_delegate_public_keys(const DataOwnerInfo& delegate,
                                                       const std::vector<std::string>& keys) override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& k : keys) {
      asked_.insert(k);
      if (pins_[delegate.id].count(k) != 0) out.push_back(k);
    }
    return out;
  }
  bool was_asked(const std::string& spki) {
    std::lock_guard lock(mutex_);
    return asked_.count(spki) != 0;
  }
  std::vector<SelfKeysStatus> self_requests;
  Result<std::map<std::string, RecoveredKeys>> recover_and_verify_self_hierarchy_keys(
      const std::vector<SelfKeysStatus>& keys) override {
    std::lock_guard lock(mutex_);
    self_requests.insert(self_requests.end(), keys.begin(), keys.end());
    return std::map<std::string, RecoveredKeys>{};
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::set<std::string>> pins_;
  std::set<std::string> asked_;
};

struct Client {
  std::shared_ptr<keys::KeyStore> keys = std::make_shared<keys::InMemoryKeyStore>();
  std::shared_ptr<PinningStrategies> strategies = std::make_shared<PinningStrategies>();
  std::vector<TamperReport> events;
  std::mutex events_mutex;
  std::vector<transport::ApiRequest> sent;  // every request, for leak checks
  std::unique_ptr<api::SdkCore> core;
  std::function<Result<transport::ApiResponse>(const transport::ApiRequest&, const transport::ApiCall&)> interceptor;
  std::shared_ptr<CryptoStrategies> other_strategies;  // used instead of `strategies` when set
  std::optional<std::filesystem::path> state_file;     // CoreOptions::trust_state_file

  Status start(const testing::DevServer& server, const std::string& login) {
    api::CoreOptions o;
    auto inner = testing::httplib_api_call("127.0.0.1", server.port(), login, "pw");
    o.backend = std::make_shared<api::RestBackend>([this, inner](const transport::ApiRequest& r) -> Result<transport::ApiResponse> {
      {
        std::lock_guard lock(events_mutex);
        sent.push_back(r);
      }
      return interceptor ? interceptor(r, inner) : inner(r);
    });
    o.keys = keys;
    o.strategies = other_strategies ? other_strategies : strategies;
    o.trust_state_file = state_file;
    o.on_tamper = [this](const TamperReport& e) {
      std::lock_guard lock(events_mutex);
      events.push_back(e);
    };
    auto c = api::SdkCore::start(std::move(o));
    if (!c.ok()) return c.error();
    core = std::move(c).value();
    return {};
  }
  std::string spki() const { return core->key_ring().all().begin()->second.key.public_key().spki_hex(); }
  bool reported(const std::string& record_id) {
    std::lock_guard lock(events_mutex);
    for (const auto& e : events) {
      if (e.record_id == record_id) return true;
    }
    return false;
  }
  /// A report about `record_id` whose message contains `words`.
  bool reported(const std::string& record_id, const std::string& words) {
    std::lock_guard lock(events_mutex);
    for (const auto& e : events) {
      if (e.record_id == record_id && e.error.message().find(words) != std::string::npos) return true;
    }
    return false;
  }
};

struct World {
  testing::DevServer server{":tmpfile:"};
  Client alice, bob, carol, pat;
  World() {
    EXPECT_TRUE(alice.start(server, "alice").ok());
    EXPECT_TRUE(bob.start(server, "bob").ok());
    EXPECT_TRUE(carol.start(server, "carol").ok());
    EXPECT_TRUE(pat.start(server, "pat").ok());
    // Out-of-band verification done before any attack: everybody pins everybody's real key.
    for (Client* c : {&alice, &bob, &carol, &pat}) {
      c->strategies->pin("hcp-alice", alice.spki());
      c->strategies->pin("hcp-bob", bob.spki());
      c->strategies->pin("hcp-carol", carol.spki());
      c->strategies->pin("pat-1", pat.spki());
    }
  }
  TamperDb db() { return TamperDb(server.db_path()); }
};

crypto::RsaPrivateKey attacker_key() {
  return crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256).value();
}

void add_key(TamperDb& db, const std::string& table, const std::string& id, const std::string& spki) {
  Json d = db.get(table, id);
  d["publicKeysForOaepWithSha256"].push_back(spki);
  db.put(table, d);
}

/// What an attacker with the whole database and its own private keys can read of `entities`.
std::vector<std::string> attacker_reads(TamperDb& db, const std::vector<crypto::RsaPrivateKey>& keys,
                                        const std::vector<std::pair<std::string, std::string>>& entities) {
  testing::MemoryExchangeDataSource source;
  for (const auto& j : db.all("exchange_data")) {
    auto r = model::ExchangeData::from_json(j);
    if (r.ok()) source.add(*r);
  }
  for (const auto& j : db.all("exchange_data_maps")) {
    auto m = model::ExchangeDataMap::from_json(j);
    if (m.ok()) source.add_map(*m);
  }
  std::vector<std::string> read;
  // The attacker may claim to be anyone: try as every participant id seen.
  std::set<std::string> ids;
  for (const auto& [id, r] : source.records()) {
    ids.insert(r.delegator);
    ids.insert(r.delegate);
  }
  for (const auto& as : ids) {
    auto ring = std::make_shared<engine::KeyRing>();
    for (const auto& k : keys) ring->add(as, k, true);
    engine::ExchangeDataManager manager(as, ring, source, 1000, nullptr);
    (void)manager.load_all();
    engine::EntityCrypto crypto(manager, {as}, true, nullptr);
    for (const auto& [table, id] : entities) {
      const Json entity = db.get(table, id);
      const std::string type = table == "patients" ? "Patient" : "HealthElement";
      auto access = crypto.open(entity, type);
      if (!access.ok()) continue;
      if (engine::decrypt_json(entity, access->key_pointers()).ok()) read.push_back(id);
    }
  }
  return read;
}

Json he(const char* descr) { return Json{{"descr", descr}, {"note", std::string("note of ") + descr}}; }

// 1. An attacker adds its own public key to a delegate's data owner.
TEST(Attack01, KeyInjectedIntoDelegateGetsNothing) {
  World w;
  auto evil = attacker_key();
  {
    auto db = w.db();
    add_key(db, "healthcare_parties", "hcp-bob", evil.public_key().spki_hex());
  }
  auto e = w.alice.core->create("HealthElement", he("after injection"), {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  ASSERT_OK(w.alice.core->share("HealthElement", id, "hcp-bob", AccessLevel::kRead));
  EXPECT_TRUE(w.alice.strategies->was_asked(evil.public_key().spki_hex())) << "the hook must see the unknown key";
  auto db = w.db();
  for (const auto& ed : db.all("exchange_data")) {
    for (const char* map : {"exchangeKey", "accessControlSecret", "sharedSignatureKey"}) {
      EXPECT_FALSE(ed[map].contains(evil.public_key().fingerprint_v2())) << "attacker key received a secret";
    }
  }
  ASSERT_OK(w.bob.core->get("HealthElement", id));  // the real bob still reads it
  EXPECT_TRUE(attacker_reads(db, {evil}, {{"health_elements", id}}).empty());
}

// Control for the attack above (and for the attacker model of this file): with a hook that trusts
// every key — the platform's default — the same injection does leak. Shows the attack is real and
// that attacker_reads() can read when access exists.
TEST(Attack01, ControlTrustEveryKeyLeaks) {
  World w;
  auto evil = attacker_key();
  {
    auto db = w.db();
    add_key(db, "healthcare_parties", "hcp-bob", evil.public_key().spki_hex());
  }
  Client naive;
  naive.keys = w.alice.keys;
  class TrustAll : public PinningStrategies {
    std::vector<std::string> verify_delegate_public_keys(const DataOwnerInfo&,
                                                         const std::vector<std::string>& k) override {
      return k;
    }
  };
  naive.strategies = std::make_shared<TrustAll>();
  ASSERT_OK(naive.start(w.server, "alice"));
  auto e = naive.core->create("HealthElement", he("leaks"), {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(e);
  auto db = w.db();
  EXPECT_FALSE(attacker_reads(db, {evil}, {{"health_elements", e->entity["id"]}}).empty());
}

// 2. An attacker adds a key to the current user's own data owner.
TEST(Attack02, KeyInjectedIntoOwnDataOwnerIsNeverTreatedAsOwn) {
  World w;
  auto evil = attacker_key();
  {
    auto db = w.db();
    add_key(db, "healthcare_parties", "hcp-alice", evil.public_key().spki_hex());
  }
  Client alice2;  // alice's SDK starts again (same device keys)
  alice2.keys = w.alice.keys;
  alice2.strategies = w.alice.strategies;
  ASSERT_OK(alice2.start(w.server, "alice"));
  // The unknown key was offered to the app as unavailable, never trusted.
  bool offered = false;
  for (const auto& s : alice2.strategies->self_requests) {
    for (const auto& k : s.unavailable_keys) offered = offered || k.spki_hex == evil.public_key().spki_hex();
  }
  EXPECT_TRUE(offered);
  EXPECT_EQ(alice2.core->key_ring().find(evil.public_key().fingerprint_v2()), nullptr);
  auto e = alice2.core->create("HealthElement", he("mine"), {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(e);
  auto db = w.db();
  for (const auto& ed : db.all("exchange_data")) {
    EXPECT_FALSE(ed["exchangeKey"].contains(evil.public_key().fingerprint_v2()));
  }
  EXPECT_TRUE(attacker_reads(db, {evil}, {{"health_elements", e->entity["id"]}}).empty());
}

// 3. An attacker replaces a delegate's keys entirely.
TEST(Attack03, ReplacedDelegateKeysMeanNoShare) {
  World w;
  auto evil = attacker_key();
  auto e = w.alice.core->create("HealthElement", he("private"), {});
  ASSERT_OK(e);
  {
    auto db = w.db();
    Json bob = db.get("healthcare_parties", "hcp-bob");
    bob["publicKeysForOaepWithSha256"] = Json::array({evil.public_key().spki_hex()});
    db.put("healthcare_parties", bob);
  }
  const auto before = w.db().all("exchange_data").size();
  auto shared = w.alice.core->share("HealthElement", e->entity["id"], "hcp-bob", AccessLevel::kRead);
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.error().code(), ErrorCode::kNoVerifiedKey) << shared.error().to_string();
  EXPECT_EQ(w.db().all("exchange_data").size(), before);
  auto db = w.db();
  EXPECT_TRUE(attacker_reads(db, {evil}, {{"health_elements", e->entity["id"]}}).empty());
}

// 4. Tampered exchange data: swapped delegate id / fingerprint list / exchange key.
TEST(Attack04, TamperedExchangeDataIsNotUsedForNewSharesAndIsReported) {
  World w;
  auto first = w.alice.core->create("HealthElement", he("first"), {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(first);
  std::string tampered_id;
  {
    auto db = w.db();
    for (auto ed : db.all("exchange_data")) {
      if (ed["delegator"] == "hcp-alice" && ed["delegate"] == "hcp-bob") {
        tampered_id = ed["id"];
        // Move bob's entry under another fingerprint: the signed fingerprint list no longer matches.
        for (const char* map : {"exchangeKey", "accessControlSecret", "sharedSignatureKey"}) {
          Json m = ed[map];
          const std::string bob_fp = crypto::fingerprint_v2(w.bob.spki());
          m["0000000000000000000000"] = m[bob_fp];
          ed[map] = m;
        }
        db.put("exchange_data", ed);
      }
    }
  }
  ASSERT_FALSE(tampered_id.empty());
  Client alice2;
  alice2.keys = w.alice.keys;
  alice2.strategies = w.alice.strategies;
  ASSERT_OK(alice2.start(w.server, "alice"));
  auto second = alice2.core->create("HealthElement", he("second"), {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(second);
  EXPECT_TRUE(alice2.reported(tampered_id));
  // The new share went through new exchange data.
  auto db = w.db();
  const Json stored = db.get("health_elements", second->entity["id"]);
  for (const auto& [k, d] : stored["securityMetadata"]["secureDelegations"].items()) {
    if (d.value("delegate", "") == "hcp-bob") {
      EXPECT_NE(d["exchangeDataId"], tampered_id);
    }
  }
  // Existing data stays readable by bob (the tampered record still opens for him).
  ASSERT_OK(w.bob.core->get("HealthElement", first->entity["id"]));
}

// 5. The attacker creates exchange data "alice → bob" itself, with a key it knows.
TEST(Attack05, ForgedExchangeDataIsNeverUsedToShare) {
  World w;
  auto forged_secrets = engine::ExchangeSecrets::generate().value();
  auto alice_pub = crypto::RsaPublicKey::from_spki_hex(w.alice.spki(), crypto::RsaOaepHash::kSha256).value();
  auto bob_pub = crypto::RsaPublicKey::from_spki_hex(w.bob.spki(), crypto::RsaOaepHash::kSha256).value();
  auto evil = attacker_key();
  auto forged =
      engine::build_exchange_data("forged-ed", "hcp-alice", "hcp-bob", forged_secrets, {alice_pub, bob_pub}, {&evil});
  ASSERT_OK(forged);
  // The attacker writes a delegator signature entry under alice's fingerprint (it cannot compute it).
  forged->delegator_signature = {{alice_pub.fingerprint_v2(), forged->delegator_signature.begin()->second}};
  {
    auto db = w.db();
    Json j = forged->to_json();
    j["rev"] = "1-forged";
    db.put("exchange_data", j);
  }
  auto e = w.alice.core->create("HealthElement", he("after forgery"), {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(e);
  EXPECT_TRUE(w.alice.reported("forged-ed"));
  auto db = w.db();
  const Json stored = db.get("health_elements", e->entity["id"]);
  for (const auto& [k, d] : stored["securityMetadata"]["secureDelegations"].items()) {
    EXPECT_NE(d.value("exchangeDataId", ""), "forged-ed");
  }
  // The attacker knows the forged secrets: the entity must not be readable with them.
  testing::MemoryExchangeDataSource only_forged;
  only_forged.add(*forged);
  EXPECT_TRUE(attacker_reads(db, {evil}, {{"health_elements", e->entity["id"]}}).empty());
  ASSERT_OK(w.bob.core->get("HealthElement", e->entity["id"]));
}

// 6. encryptedSelf copied from entity A onto entity B (alone, then with its security metadata).
TEST(Attack06, SwappedEncryptedSelfIsDetected) {
  World w;
  auto a = w.alice.core->create("HealthElement", he("A secret"), {});
  auto b = w.alice.core->create("HealthElement", he("B secret"), {});
  ASSERT_OK(a);
  ASSERT_OK(b);
  const std::string a_id = a->entity["id"], b_id = b->entity["id"];
  {
    auto db = w.db();
    Json ja = db.get("health_elements", a_id);
    Json jb = db.get("health_elements", b_id);
    jb["encryptedSelf"] = ja["encryptedSelf"];
    db.put("health_elements", jb);
  }
  auto read_b = w.alice.core->get("HealthElement", b_id);
  ASSERT_FALSE(read_b.ok());  // B's key does not open A's content
  EXPECT_EQ(read_b.error().code(), ErrorCode::kDecryptionFailed) << read_b.error().to_string();
  {
    auto db = w.db();
    Json ja = db.get("health_elements", a_id);
    Json jb = db.get("health_elements", b_id);
    jb["encryptedSelf"] = ja["encryptedSelf"];
    jb["securityMetadata"] = ja["securityMetadata"];
    db.put("health_elements", jb);
  }
  auto read_b2 = w.alice.core->get("HealthElement", b_id);
  ASSERT_FALSE(read_b2.ok());  // decrypts, but the bound id says it is A's content
  EXPECT_EQ(read_b2.error().code(), ErrorCode::kTamperDetected);
  EXPECT_TRUE(w.alice.reported(b_id));
  ASSERT_OK(w.alice.core->get("HealthElement", a_id));
}

// 7. encryptionKeys / secretIds entries replaced with garbage or another entity's value.
TEST(Attack07, GarbledDelegationValuesAreReportedNotCrashed) {
  World w;
  auto a = w.alice.core->create("HealthElement", he("A"), {});
  auto b = w.alice.core->create("HealthElement", he("B"), {});
  ASSERT_OK(a);
  ASSERT_OK(b);
  const std::string b_id = b->entity["id"];
  {
    auto db = w.db();
    Json ja = db.get("health_elements", a->entity["id"]);
    Json jb = db.get("health_elements", b_id);
    auto& da = ja["securityMetadata"]["secureDelegations"].begin().value();
    auto& db_ = jb["securityMetadata"]["secureDelegations"].begin().value();
    db_["encryptionKeys"] = da["encryptionKeys"];  // A's entity key (valid Cure prefix) on B
    db_["secretIds"] = Json::array({"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="});
    db.put("health_elements", jb);
  }
  auto read = w.alice.core->get("HealthElement", b_id);
  ASSERT_FALSE(read.ok());
  EXPECT_TRUE(w.alice.reported(b_id));
  // Garbage that is not even base64.
  {
    auto db = w.db();
    Json jb = db.get("health_elements", b_id);
    jb["securityMetadata"]["secureDelegations"].begin().value()["encryptionKeys"] = Json::array({"%%%"});
    db.put("health_elements", jb);
  }
  EXPECT_FALSE(w.alice.core->get("HealthElement", b_id).ok());
}

// 8. A delegation removed, or permissions downgraded.
TEST(Attack08, RemovedDelegationFailsCleanlyAndNothingIsResharedAutomatically) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("shared"), {{}, {}, {{"hcp-bob", AccessLevel::kWrite}}});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  ASSERT_TRUE(w.bob.core->get("HealthElement", id)->can_write);
  {
    auto db = w.db();
    Json j = db.get("health_elements", id);
    for (auto& [k, d] : j["securityMetadata"]["secureDelegations"].items()) {
      if (d.value("delegate", "") == "hcp-bob") d["permissions"] = "READ";
    }
    db.put("health_elements", j);
  }
  auto downgraded = w.bob.core->get("HealthElement", id);
  ASSERT_OK(downgraded);
  EXPECT_FALSE(downgraded->can_write);
  const auto exchange_before = w.db().all("exchange_data").size();
  {
    auto db = w.db();
    Json j = db.get("health_elements", id);
    Json kept = Json::object();
    for (auto& [k, d] : j["securityMetadata"]["secureDelegations"].items()) {
      if (d.value("delegate", "") != "hcp-bob") kept[k] = d;
    }
    j["securityMetadata"]["secureDelegations"] = kept;
    db.put("health_elements", j);
  }
  auto gone = w.bob.core->get("HealthElement", id);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.error().code() == ErrorCode::kPermissionDenied || gone.error().code() == ErrorCode::kNotFound ||
              gone.error().code() == ErrorCode::kKeyNotAvailable)
      << gone.error().to_string();
  // Reading as alice neither re-shares nor creates anything.
  ASSERT_OK(w.alice.core->get("HealthElement", id));
  auto db = w.db();
  EXPECT_EQ(db.all("exchange_data").size(), exchange_before);
  EXPECT_EQ(db.get("health_elements", id)["securityMetadata"]["secureDelegations"].size(), 1u);
}

// 9. A stale revision replayed: 409 → kConflict with the current version, nothing written; opt-in merge.
TEST(Attack09, StaleOrReplayedRevisionIsAConflictThatLosesNoWrite) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("v1"), {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  Json stale = e->entity;
  Json first = e->entity;
  first["note"] = "changed elsewhere";
  auto stored_first = w.alice.core->modify("HealthElement", first);
  ASSERT_OK(stored_first);
  // Replaying the old rev (a stale copy) writes nothing: kConflict with the current version.
  stale["descr"] = "my local change";
  ModifyConflict conflict;
  auto saved = w.alice.core->modify("HealthElement", stale, {ConflictPolicy::kFail, nullptr, &conflict});
  EXPECT_ERROR_CODE(saved, ErrorCode::kConflict);
  ASSERT_TRUE(conflict.current.entity.is_object());
  EXPECT_EQ(conflict.current.entity["note"], "changed elsewhere");
  EXPECT_EQ(conflict.current.entity["rev"], stored_first->entity["rev"]);
  auto now = w.alice.core->get("HealthElement", id);
  ASSERT_OK(now);
  EXPECT_EQ(now->entity["note"], "changed elsewhere") << "the other writer's change is kept";
  EXPECT_EQ(now->entity["descr"], "v1") << "the stale write was not applied";
  // A rev the server never gave (a newer generation, or a rev taken from the tampered store that the
  // server no longer holds) is no way around it.
  Json forged = now->entity;
  forged["rev"] = "99-ffffffffffffffffffffffffffffffff";
  forged["descr"] = "forged";
  EXPECT_ERROR_CODE(w.alice.core->modify("HealthElement", forged), ErrorCode::kConflict);
  // Opt-in merge: the disjoint change is merged onto the current version, nothing lost.
  auto merged = w.alice.core->modify("HealthElement", stale, {ConflictPolicy::kMerge, nullptr});
  ASSERT_OK(merged);
  EXPECT_EQ(merged->entity["descr"], "my local change");
  EXPECT_EQ(merged->entity["note"], "changed elsewhere");
  // A write applied by the server whose answer was lost, repeated by the transport (PUT with a rev
  // is retried): the repeat meets the new rev (409), and the server holds exactly this change, so
  // it is a success, not a false conflict.
  w.alice.interceptor = [](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    if (r.method == "PUT" && r.path == "/rest/v2/helement") {
      auto applied = inner(r);
      if (!applied.ok()) return applied;
      return inner(r);  // the repeat
    }
    return inner(r);
  };
  Json again = merged->entity;
  again["descr"] = "final";
  auto repeated = w.alice.core->modify("HealthElement", again);
  w.alice.interceptor = nullptr;
  ASSERT_OK(repeated);
  EXPECT_EQ(repeated->entity["descr"], "final");
}

// 10. Malformed JSON, hex, base64, keys, huge fields, wrong types in stored records.
TEST(Attack10, MalformedRecordsGiveTypedErrors) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("x"), {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  const Json original = w.db().get("health_elements", id);
  const std::vector<std::function<void(Json&)>> corruptions = {
      [](Json& j) { j["securityMetadata"] = "not an object"; },
      [](Json& j) {
        j["securityMetadata"]["secureDelegations"] = Json::array({1, 2});
      },
      [](Json& j) { j["encryptedSelf"] = 12345; },
      [](Json& j) { j["encryptedSelf"] = std::string(3 * 1024 * 1024, 'A'); },
      [](Json& j) { j["securityMetadata"]["secureDelegations"].begin().value()["permissions"] = Json::array(); },
      [](Json& j) { j["securityMetadata"]["secureDelegations"].begin().value()["exchangeDataId"] = 7; },
  };
  for (std::size_t i = 0; i < corruptions.size(); ++i) {
    Json j = original;
    corruptions[i](j);
    {
      auto db = w.db();
      db.put("health_elements", j);
    }
    auto r = w.alice.core->get("HealthElement", id);
    EXPECT_FALSE(r.ok()) << "corruption " << i;
  }
  // Garbage keys on a delegate: skipped, the share needs a verified key and fails cleanly.
  {
    auto db = w.db();
    db.put("health_elements", original);
    Json bob = db.get("healthcare_parties", "hcp-bob");
    bob["publicKeysForOaepWithSha256"] = Json::array({"zz", "30820122", std::string(20000, 'a')});
    db.put("healthcare_parties", bob);
  }
  auto shared = w.alice.core->share("HealthElement", id, "hcp-bob", AccessLevel::kRead);
  ASSERT_FALSE(shared.ok());
  // Malformed exchange data JSON in the store must not crash bob's start.
  {
    auto db = w.db();
    db.put_raw("exchange_data", "broken",
               R"({"id":"broken","delegator":"hcp-alice","delegate":"pat-1","exchangeKey":"x"})");
  }
  Client pat2;
  pat2.keys = w.pat.keys;
  auto started = pat2.start(w.server, "pat");
  if (!started.ok()) {
    EXPECT_NE(started.error().code(), ErrorCode::kInternal);
  }
}

// 11. The server fails: 503 answers and a connection drop after the server committed a share.
TEST(Attack11, TransportFaultsNeverDuplicateShares) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("faults"), {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  // The share is applied by the server, then the answer is lost.
  w.alice.interceptor = [](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    auto resp = inner(r);
    if (r.path.find("bulkSharedMetadataUpdate") != std::string::npos) {
      return Error{ErrorCode::kTransport, "connection reset"};
    }
    return resp;
  };
  auto lost = w.alice.core->share("HealthElement", id, "hcp-bob", AccessLevel::kRead);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code(), ErrorCode::kTransport);
  w.alice.interceptor = nullptr;
  // Sharing again finds the delegation already there: nothing is duplicated.
  ASSERT_OK(w.alice.core->share("HealthElement", id, "hcp-bob", AccessLevel::kRead));
  auto db = w.db();
  EXPECT_EQ(db.get("health_elements", id)["securityMetadata"]["secureDelegations"].size(), 2u);
  ASSERT_OK(w.bob.core->get("HealthElement", id));
  // 503 on every call: a clear error.
  w.alice.interceptor = [](const transport::ApiRequest&, const transport::ApiCall&) -> Result<transport::ApiResponse> {
    return transport::ApiResponse{503, "{}"};
  };
  auto down = w.alice.core->get("HealthElement", id);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code(), ErrorCode::kServerError);
}

// 12. The server tries to capture secrets: none is ever sent.
TEST(Attack12, NoSecretIsEverSent) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("Top secret diagnosis"),
                                {{}, {}, {{"hcp-bob", AccessLevel::kRead}, {"pat-1", AccessLevel::kRead}}});
  ASSERT_OK(e);
  std::vector<std::string> secrets = {"Top secret diagnosis", "note of Top secret"};
  for (const auto& [fp, k] : w.alice.core->key_ring().all()) {
    auto der = k.key.pkcs8_der();
    ASSERT_OK(der);
    secrets.push_back(crypto::hex_encode(der->reveal()));
    secrets.push_back(crypto::base64_encode(der->reveal()));
  }
  for (const auto& opened : w.alice.core->exchange_data().cached()) {
    const auto raw = opened->secrets.exchange_key.secret().reveal();
    secrets.push_back(crypto::hex_encode(raw));
    secrets.push_back(crypto::base64_encode(raw));
    secrets.push_back(crypto::hex_encode(opened->secrets.shared_signature_key.secret().reveal()));
    secrets.push_back(crypto::hex_encode(opened->secrets.access_control_secret.reveal()));
  }
  ASSERT_GT(w.alice.sent.size(), 5u);
  for (const auto& r : w.alice.sent) {
    for (const auto& s : secrets) {
      EXPECT_EQ(r.body.find(s), std::string::npos) << r.method << " " << r.path << " leaks a secret";
      EXPECT_EQ(r.path.find(s), std::string::npos);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Issue 13 §1: entity keys of unverified provenance. The attacker (database write access, public
// keys only) forges exchange data "claimed delegator → victim" encrypted for the victim's real
// public key, and adds to an entity a delegation through it carrying an entity key of its choosing.

struct ForgedDelegation {
  model::ExchangeData record;
  crypto::AesKey entity_key;  // the attacker's entity key
  std::string delegation_key;
  Json delegation;
};

/// Forged exchange data `claimed_delegator → victim` (stored in the database) and a delegation
/// through it carrying a fresh attacker entity key. `named_delegator` is what the delegation says.
ForgedDelegation forge_delegation(World& w, const std::string& id_suffix, const std::string& claimed_delegator,
                                  const std::string& victim, const std::string& victim_spki,
                                  const std::string& named_delegator) {
  auto secrets = engine::ExchangeSecrets::generate().value();
  auto victim_pub = crypto::RsaPublicKey::from_spki_hex(victim_spki, crypto::RsaOaepHash::kSha256).value();
  auto evil = attacker_key();
  auto record = engine::build_exchange_data("forged-ed-" + id_suffix, claimed_delegator, victim, secrets,
                                            {victim_pub}, {&evil})
                    .value();
  {
    auto db = w.db();
    Json j = record.to_json();
    j["rev"] = "1-forged";
    db.put("exchange_data", j);
  }
  auto key = crypto::AesKey::generate().value();
  auto ack = engine::access_control_key(secrets.access_control_secret, "HealthElement").value();
  Json d = Json::object();
  d["delegator"] = named_delegator;
  d["delegate"] = victim;
  d["secretIds"] = Json::array({engine::encrypt_delegation_value(secrets.exchange_key, as_bytes(std::string("evil-secret"))).value()});
  d["encryptionKeys"] = Json::array({engine::encrypt_delegation_value(secrets.exchange_key, key.secret().reveal()).value()});
  d["owningEntityIds"] = Json::array();
  d["parentDelegations"] = Json::array();
  d["exchangeDataId"] = record.id;
  d["permissions"] = "WRITE";
  return ForgedDelegation{std::move(record), std::move(key), engine::secure_delegation_key(ack.reveal()), std::move(d)};
}

/// Adds the forged delegation to a stored entity; optionally replaces its content with content
/// encrypted under the attacker key (`content` null: removes encryptedSelf).
void inject(World& w, const std::string& id, const ForgedDelegation& f, const std::optional<Json>& content) {
  auto db = w.db();
  Json j = db.get("health_elements", id);
  j["securityMetadata"]["secureDelegations"][f.delegation_key] = f.delegation;
  if (content) {
    Json clear = *content;
    clear["id"] = id;
    auto manifest = EncryptedFieldsManifest::platform_default("HealthElement").value();
    Json enc = engine::encrypt_json(clear, f.entity_key, manifest, Json{{"id", id}}).value();
    j["encryptedSelf"] = enc["encryptedSelf"];
  } else {
    j.erase("encryptedSelf");
  }
  db.put("health_elements", j);
}

bool opens_with(const Json& stored, const crypto::AesKey& key) {
  if (!stored.contains("encryptedSelf")) return false;
  return engine::decrypt_json(Json{{"encryptedSelf", stored["encryptedSelf"]}}, {&key}).ok();
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

bool has_warning(const DecryptedEntity& d, const std::string& part) {
  return std::any_of(d.warnings.begin(), d.warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

TEST(Attack13Provenance, ReplacedContentUnderAnInjectedKeyIsRefusedAndNeverReused) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("genuine"), {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  EXPECT_EQ(e->provenance, Provenance::kVerified);
  auto forged = forge_delegation(w, "1", "hcp-bob", "hcp-alice", w.alice.spki(), "hcp-bob");
  inject(w, id, forged, he("attacker's words"));

  // The read refuses the replaced content and says so.
  auto read = w.alice.core->get("HealthElement", id);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kTamperDetected) << read.error().to_string();
  EXPECT_NE(read.error().message().find(forged.record.id), std::string::npos) << read.error().message();
  EXPECT_TRUE(w.alice.reported(id));

  // The next modify encrypts under the user's own key, never under the attacker's (the stored
  // metadata is sent back: the server refuses a modify that changes it).
  Json changed = e->entity;
  changed["note"] = "new medical note";
  changed["securityMetadata"] = w.db().get("health_elements", id)["securityMetadata"];
  auto saved = w.alice.core->modify("HealthElement", changed);
  ASSERT_OK(saved);
  const Json stored = w.db().get("health_elements", id);
  EXPECT_FALSE(opens_with(stored, forged.entity_key));
  EXPECT_EQ(stored.dump().find("new medical note"), std::string::npos);
  // Reading again: the own content, the extra key reported as a warning, its secret id dropped.
  auto again = w.alice.core->get("HealthElement", id);
  ASSERT_OK(again);
  EXPECT_EQ(again->entity["note"], "new medical note");
  EXPECT_EQ(again->provenance, Provenance::kVerified);
  EXPECT_TRUE(has_warning(*again, "another entity key")) << join_lines(again->warnings);
  EXPECT_EQ(std::count(again->secret_ids.begin(), again->secret_ids.end(), "evil-secret"), 0);
  // Sharing passes on the genuine key only.
  ASSERT_OK(w.alice.core->share("HealthElement", id, "hcp-carol", AccessLevel::kRead));
  auto carol = w.carol.core->get("HealthElement", id);
  ASSERT_OK(carol);
  EXPECT_EQ(carol->entity["note"], "new medical note");
  EXPECT_EQ(std::count(carol->secret_ids.begin(), carol->secret_ids.end(), "evil-secret"), 0);
}

TEST(Attack13Provenance, RemovedContentPlusInjectedKeyDoesNotLeadModifyToTheAttackerKey) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("genuine"), {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  auto forged = forge_delegation(w, "2", "hcp-bob", "hcp-alice", w.alice.spki(), "hcp-bob");
  inject(w, id, forged, std::nullopt);
  auto read = w.alice.core->get("HealthElement", id);
  ASSERT_OK(read);  // nothing to decrypt; the extra key is reported
  EXPECT_TRUE(has_warning(*read, "another entity key")) << join_lines(read->warnings);
  EXPECT_TRUE(w.alice.reported(id));
  Json changed = read->entity;
  changed["note"] = "written after the attack";
  changed["descr"] = "x";
  ASSERT_OK(w.alice.core->modify("HealthElement", changed));
  const Json stored = w.db().get("health_elements", id);
  ASSERT_TRUE(stored.contains("encryptedSelf"));
  EXPECT_FALSE(opens_with(stored, forged.entity_key));
  // CryptoApi-style encryption without storage follows the same rule.
  auto enc = w.alice.core->encrypt_existing("HealthElement", changed);
  ASSERT_OK(enc);
  EXPECT_FALSE(opens_with(*enc, forged.entity_key));
}

TEST(Attack13Provenance, DelegationNamingAnotherPairThanItsExchangeDataIsIgnored) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("genuine"), {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  // Exchange data says hcp-bob → hcp-alice; the delegation claims hcp-carol as delegator.
  auto forged = forge_delegation(w, "3", "hcp-bob", "hcp-alice", w.alice.spki(), "hcp-carol");
  inject(w, id, forged, he("attacker's words"));
  auto read = w.alice.core->get("HealthElement", id);
  // The forged delegation is not used at all: its key does not even count as a second key, and
  // the replaced content opens with no key this user accepts.
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kDecryptionFailed) << read.error().to_string();
  bool pair_reported = false;
  {
    std::lock_guard lock(w.alice.events_mutex);
    for (const auto& ev : w.alice.events) {
      pair_reported = pair_reported || ev.error.message().find("names a pair other than") != std::string::npos;
    }
  }
  EXPECT_TRUE(pair_reported);
}

TEST(Attack13Provenance, KeysSharedByOthersNeedAnExplicitAcceptBeforeWriting) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("shared"), {{}, {}, {{"hcp-bob", AccessLevel::kWrite}}});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  auto got = w.bob.core->get("HealthElement", id);
  ASSERT_OK(got);
  EXPECT_EQ(got->provenance, Provenance::kUnverified);
  EXPECT_TRUE(got->warnings.empty()) << join_lines(got->warnings);
  Json changed = got->entity;
  changed["note"] = "bob's addition";
  auto refused = w.bob.core->modify("HealthElement", changed);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kNoVerifiedKey);
  EXPECT_NE(refused.error().message().find("accept_shared_key"), std::string::npos) << refused.error().message();
  EXPECT_EQ(w.db().get("health_elements", id)["rev"], e->entity["rev"]);  // nothing written
  auto accepted = w.bob.core->accept_shared_key("HealthElement", id);
  ASSERT_OK(accepted);
  EXPECT_EQ(accepted->provenance, Provenance::kVerified);
  changed = accepted->entity;
  changed["note"] = "bob's addition";
  ASSERT_OK(w.bob.core->modify("HealthElement", changed));
  auto alice_view = w.alice.core->get("HealthElement", id);
  ASSERT_OK(alice_view);
  EXPECT_EQ(alice_view->entity["note"], "bob's addition");
  EXPECT_TRUE(alice_view->warnings.empty()) << join_lines(alice_view->warnings);

  // After the accept, a substituted key on bob's side is detected like on the creator's.
  auto forged = forge_delegation(w, "4", "hcp-alice", "hcp-bob", w.bob.spki(), "hcp-alice");
  inject(w, id, forged, he("attacker's words"));
  auto tampered = w.bob.core->get("HealthElement", id);
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().code(), ErrorCode::kTamperDetected);
}

TEST(Attack13Provenance, ConflictingUnverifiedKeysAreReportedAndNeitherAcceptedNorShared) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("shared"), {{}, {}, {{"hcp-bob", AccessLevel::kWrite}}});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  auto forged = forge_delegation(w, "5", "hcp-alice", "hcp-bob", w.bob.spki(), "hcp-alice");
  inject(w, id, forged, he("attacker's words"));
  auto read = w.bob.core->get("HealthElement", id);
  ASSERT_OK(read);  // cannot tell which key is genuine: content returned, flagged, reported
  EXPECT_EQ(read->provenance, Provenance::kUnverified);
  EXPECT_TRUE(has_warning(*read, "different entity keys")) << join_lines(read->warnings);
  EXPECT_TRUE(w.bob.reported(id));
  auto accept = w.bob.core->accept_shared_key("HealthElement", id);
  ASSERT_FALSE(accept.ok());
  EXPECT_EQ(accept.error().code(), ErrorCode::kTamperDetected);
  auto share = w.bob.core->share("HealthElement", id, "hcp-carol", AccessLevel::kRead);
  ASSERT_FALSE(share.ok());
  EXPECT_EQ(share.error().code(), ErrorCode::kTamperDetected);
  Json changed = read->entity;
  changed["note"] = "must not be written";
  auto modified = w.bob.core->modify("HealthElement", changed);
  ASSERT_FALSE(modified.ok());
  EXPECT_EQ(modified.error().code(), ErrorCode::kNoVerifiedKey);
  EXPECT_EQ(w.db().get("health_elements", id).dump().find("must not be written"), std::string::npos);
}

// --- Issue 13 §3, §5, §6 (replayed exchange data) -------------------------------------------

/// The id of the exchange data delegator → delegate behind `entity_id`'s delegation to `delegate`.
std::string exchange_data_of(TamperDb& db, const std::string& table, const std::string& entity_id,
                             const std::string& delegate) {
  const Json stored = db.get(table, entity_id);
  for (const auto& [k, d] : stored["securityMetadata"]["secureDelegations"].items()) {
    if (d.value("delegate", "") == delegate) return d.value("exchangeDataId", "");
  }
  return "";
}

/// Moves `spki` from the data owner's OAEP-SHA-256 list to its legacy (OAEP-SHA-1) `publicKey`.
void move_key_to_sha1_list(TamperDb& db, const std::string& owner, const std::string& spki) {
  Json d = db.get("healthcare_parties", owner);
  Json kept = Json::array();
  for (const auto& k : d["publicKeysForOaepWithSha256"]) {
    if (k != spki) kept.push_back(k);
  }
  d["publicKeysForOaepWithSha256"] = kept;
  d["publicKey"] = spki;
  db.put("healthcare_parties", d);
}

void move_key_back_to_sha256_list(TamperDb& db, const std::string& owner, const std::string& spki) {
  Json d = db.get("healthcare_parties", owner);
  d.erase("publicKey");
  d["publicKeysForOaepWithSha256"] = Json::array({spki});
  db.put("healthcare_parties", d);
}

// 13. §3: the server serves an older revision of an entity: reported, with a warning on the result.
TEST(Attack13, RolledBackEntityIsReportedWithAWarning) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("v1"), {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  const Json v1 = w.db().get("health_elements", id);
  Json changed = e->entity;
  changed["descr"] = "v2: allergy to penicillin";
  auto v2 = w.alice.core->modify("HealthElement", changed);
  ASSERT_OK(v2);
  ASSERT_TRUE(v2->warnings.empty());
  w.db().put("health_elements", v1);  // the server rolls the record back
  auto read = w.alice.core->get("HealthElement", id);
  ASSERT_OK(read);
  EXPECT_EQ(read->entity["descr"], "v1");
  ASSERT_FALSE(read->warnings.empty()) << "a rollback must not read as a clean record";
  EXPECT_NE(read->warnings.front().find("older version"), std::string::npos) << read->warnings.front();
  EXPECT_TRUE(w.alice.reported(id, "rollback"));
}

// 14. §3: an older revision of a data owner (e.g. to bring back a removed key) is refused.
TEST(Attack14, RolledBackDataOwnerIsRefused) {
  World w;
  auto first = w.alice.core->create("HealthElement", he("first"), {});
  ASSERT_OK(first);
  const Json original = w.db().get("healthcare_parties", "hcp-bob");
  {
    auto db = w.db();
    Json newer = original;  // what a later legitimate update of bob's record looks like
    newer["rev"] = "7-0123456789abcdef";
    db.put("healthcare_parties", newer);
  }
  ASSERT_OK(w.alice.core->share("HealthElement", first->entity["id"], "hcp-bob", AccessLevel::kRead));
  w.db().put("healthcare_parties", original);  // rolled back to its older revision
  auto second = w.alice.core->create("HealthElement", he("second"), {});
  ASSERT_OK(second);
  const auto exchange_before = w.db().all("exchange_data").size();
  auto shared = w.alice.core->share("HealthElement", second->entity["id"], "hcp-bob", AccessLevel::kRead);
  ASSERT_FALSE(shared.ok()) << "a share must not rely on a rolled-back data owner";
  EXPECT_EQ(shared.error().code(), ErrorCode::kTamperDetected) << shared.error().to_string();
  EXPECT_TRUE(w.alice.reported("hcp-bob", "rollback"));
  EXPECT_EQ(w.db().all("exchange_data").size(), exchange_before);
}

// 15. §6: an old revision of exchange data re-served after key rotation is reported and not used
// for new shares.
TEST(Attack15, ReplayedOldExchangeDataAfterKeyRotationIsReportedAndNotReused) {
  World w;
  auto first = w.alice.core->create("HealthElement", he("first"), {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(first);
  std::string xd_id;
  Json old_revision;
  {
    auto db = w.db();
    xd_id = exchange_data_of(db, "health_elements", first->entity["id"], "hcp-bob");
    ASSERT_FALSE(xd_id.empty());
    old_revision = db.get("exchange_data", xd_id);
  }
  ASSERT_OK(w.alice.core->rotate_key());  // extends the exchange data to the new key: new revision
  ASSERT_NE(w.db().get("exchange_data", xd_id)["rev"], old_revision["rev"]);
  w.db().put("exchange_data", old_revision);  // the server replays the old revision
  auto second = w.alice.core->create("HealthElement", he("second"), {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(second);
  EXPECT_TRUE(w.alice.reported(xd_id, "rollback"));
  auto db = w.db();
  EXPECT_NE(exchange_data_of(db, "health_elements", second->entity["id"], "hcp-bob"), xd_id);
  auto read = w.bob.core->get("HealthElement", second->entity["id"]);
  ASSERT_OK(read);
  EXPECT_EQ(read->entity["descr"], "second");
}

// 16. §3/§6: a delegate stops publishing a key (it leaked; the delegate rotated). The exchange
// data that still reaches the old key is re-served, but new data must not reach that key, and
// the vanished verified key is reported.
TEST(Attack16, ExchangeDataReachingAKeyNoLongerVerifiedIsNotReused) {
  World w;
  auto first = w.alice.core->create("HealthElement", he("first"), {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(first);
  const std::string old_spki = w.bob.spki();
  auto old_keys = w.bob.keys->keys_of("hcp-bob");
  ASSERT_OK(old_keys);
  ASSERT_EQ(old_keys->size(), 1u);
  const crypto::RsaPrivateKey leaked = old_keys->front().key;
  auto new_spki = w.bob.core->rotate_key();  // also extends the exchange data alice → bob to the new key
  ASSERT_OK(new_spki);
  {
    auto db = w.db();
    Json bob = db.get("healthcare_parties", "hcp-bob");
    bob["publicKeysForOaepWithSha256"] = Json::array({*new_spki});  // the leaked key is withdrawn
    db.put("healthcare_parties", bob);
  }
  w.alice.strategies->pin("hcp-bob", *new_spki);  // verified out of band
  auto second = w.alice.core->create("HealthElement", he("after the leak"),
                                     {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(second);
  EXPECT_TRUE(w.alice.reported("hcp-bob", "no longer publishes")) << "a verified key vanished silently";
  auto db = w.db();
  EXPECT_TRUE(attacker_reads(db, {leaked}, {{"health_elements", second->entity["id"]}}).empty())
      << "new data reached a key the delegate no longer publishes";
  EXPECT_FALSE(attacker_reads(db, {leaked}, {{"health_elements", first->entity["id"]}}).empty());  // control
}

// 17. §5: a pinned delegate key moved from its OAEP-SHA-256 list to the legacy SHA-1 field. The
// share must not report OK while the delegate cannot open it.
TEST(Attack17, PinnedKeyMovedToTheSha1ListIsNotUsed) {
  World w;
  char dir_template[] = "/tmp/cardinal-pins-XXXXXX";
  const std::filesystem::path dir = mkdtemp(dir_template);
  auto verifier = keys::PinnedKeyVerifier::open(dir / "pins.json");
  ASSERT_OK(verifier);
  ASSERT_OK((*verifier)->pin("hcp-bob", w.bob.spki()));  // compared out of band: a SHA-256 key
  Client alice;
  alice.keys = w.alice.keys;
  alice.other_strategies = std::make_shared<keys::PinningCryptoStrategies>(*verifier);
  ASSERT_OK(alice.start(w.server, "alice"));
  auto e = alice.core->create("HealthElement", he("moved key"), {});
  ASSERT_OK(e);
  {
    auto db = w.db();
    move_key_to_sha1_list(db, "hcp-bob", w.bob.spki());
  }
  auto shared = alice.core->share("HealthElement", e->entity["id"], "hcp-bob", AccessLevel::kRead);
  if (shared.ok()) {
    auto read = w.bob.core->get("HealthElement", e->entity["id"]);
    EXPECT_TRUE(read.ok()) << "the share reported OK but the delegate cannot open it: "
                           << (read.ok() ? "" : read.error().to_string());
  } else {
    EXPECT_EQ(shared.error().code(), ErrorCode::kNoVerifiedKey) << shared.error().to_string();
  }
  std::filesystem::remove_all(dir);
}

// 18. §5: a delegate key changes list after it was verified: reported, and no share the delegate
// cannot open is reported OK; exchange data made for the wrong hash is never reused.
TEST(Attack18, KeyChangingOaepListIsReportedAndNoUnreadableShareIsOk) {
  World w;
  const std::string bob_spki = w.bob.spki();
  // First sight of bob's key is in the wrong list: the SDK cannot know (the hook verifies SPKIs).
  {
    auto db = w.db();
    move_key_to_sha1_list(db, "hcp-bob", bob_spki);
  }
  auto first = w.alice.core->create("HealthElement", he("first"), {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(first);
  // The key goes back where it belongs; the exchange data made with SHA-1 stays on the server.
  {
    auto db = w.db();
    move_key_back_to_sha256_list(db, "hcp-bob", bob_spki);
  }
  auto second = w.alice.core->create("HealthElement", he("second"), {});
  ASSERT_OK(second);
  auto shared = w.alice.core->share("HealthElement", second->entity["id"], "hcp-bob", AccessLevel::kRead);
  EXPECT_TRUE(w.alice.reported("hcp-bob", "OAEP-SHA-256 list")) << "a key that changed list was not reported";
  if (shared.ok()) {
    auto read = w.bob.core->get("HealthElement", second->entity["id"]);
    EXPECT_TRUE(read.ok()) << "the share reported OK but the delegate cannot open it: "
                           << (read.ok() ? "" : read.error().to_string());
  } else {
    EXPECT_EQ(shared.error().code(), ErrorCode::kTamperDetected) << shared.error().to_string();
  }
}

// 19. §3/§5 across a restart: with the trust state persisted next to the key store, a rollback
// and a key moved between the OAEP lists are still noticed by the next session.
TEST(Attack19, PersistedTrustStateCatchesRollbacksAndMovedKeysAfterARestart) {
  World w;
  char dir_template[] = "/tmp/cardinal-state-XXXXXX";
  const std::filesystem::path dir = mkdtemp(dir_template);
  std::string id;
  Json v1;
  {
    Client alice;
    alice.keys = w.alice.keys;
    alice.strategies = w.alice.strategies;
    alice.state_file = dir / "trust-state.json";
    ASSERT_OK(alice.start(w.server, "alice"));
    auto e = alice.core->create("HealthElement", he("v1"), {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
    ASSERT_OK(e);
    id = e->entity["id"];
    v1 = w.db().get("health_elements", id);
    Json changed = e->entity;
    changed["descr"] = "v2";
    ASSERT_OK(alice.core->modify("HealthElement", changed));
  }
  {
    auto db = w.db();
    db.put("health_elements", v1);
    move_key_to_sha1_list(db, "hcp-bob", w.bob.spki());
    for (const auto& xd : db.all("exchange_data")) {  // hide the good exchange data alice → bob
      if (xd["delegate"] == "hcp-bob") db.remove("exchange_data", xd["id"]);
    }
  }
  Client alice;
  alice.keys = w.alice.keys;
  alice.strategies = w.alice.strategies;
  alice.state_file = dir / "trust-state.json";
  ASSERT_OK(alice.start(w.server, "alice"));
  auto read = alice.core->get("HealthElement", id);
  ASSERT_OK(read);
  EXPECT_FALSE(read->warnings.empty());
  EXPECT_TRUE(alice.reported(id, "rollback"));
  auto e2 = alice.core->create("HealthElement", he("second"), {});
  ASSERT_OK(e2);
  auto shared = alice.core->share("HealthElement", e2->entity["id"], "hcp-bob", AccessLevel::kRead);
  ASSERT_FALSE(shared.ok()) << "shared with a SHA-1 encryption the delegate cannot open";
  EXPECT_EQ(shared.error().code(), ErrorCode::kTamperDetected);
  EXPECT_TRUE(alice.reported("hcp-bob", "legacy OAEP-SHA-1 list"));
  std::filesystem::remove_all(dir);
}

// --- Issue 13 §6: the patient flow (anonymous delegations) under a tampered database ----------

TEST(Attack20PatientFlow, ForgedAnonymousDelegationOnAPatientsOwnEntityIsDetectedAndNeverReused) {
  World w;
  // The patient (anonymous in delegations) writes its own health element.
  auto e = w.pat.core->create("HealthElement", he("patient's own words"), {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  EXPECT_EQ(e->provenance, Provenance::kVerified);
  // Forged exchange data "hcp-alice → pat-1" and an anonymous delegation through it (no ids, as
  // the platform writes delegations towards patients), with the content replaced.
  auto forged = forge_delegation(w, "p1", "hcp-alice", "pat-1", w.pat.spki(), "hcp-alice");
  forged.delegation.erase("delegator");
  forged.delegation.erase("delegate");
  forged.delegation.erase("exchangeDataId");
  inject(w, id, forged, he("attacker's words"));
  ASSERT_OK(w.pat.core->exchange_data().load_all());  // the patient now knows the forged record too
  auto read = w.pat.core->get("HealthElement", id);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kTamperDetected) << read.error().to_string();
  EXPECT_TRUE(w.pat.reported(id));
  // The patient's next write is under its own key.
  Json changed = e->entity;
  changed["note"] = "patient's new words";
  changed["securityMetadata"] = w.db().get("health_elements", id)["securityMetadata"];
  ASSERT_OK(w.pat.core->modify("HealthElement", changed));
  const Json stored = w.db().get("health_elements", id);
  EXPECT_FALSE(opens_with(stored, forged.entity_key));
  auto again = w.pat.core->get("HealthElement", id);
  ASSERT_OK(again);
  EXPECT_EQ(again->entity["note"], "patient's new words");
}

TEST(Attack20PatientFlow, KeyInjectedIntoThePatientGetsNothingTheDoctorSharesAnonymously) {
  World w;
  auto evil = attacker_key();
  {
    auto db = w.db();
    add_key(db, "patients", "pat-1", evil.public_key().spki_hex());
  }
  auto e = w.alice.core->create("HealthElement", he("diagnosis for the patient"),
                                {{}, {}, {{"pat-1", AccessLevel::kRead}}});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  // The anonymous delegation is there, the patient reads it (reloading by itself), the attacker's
  // key opens nothing.
  auto read = w.pat.core->get("HealthElement", id);
  ASSERT_OK(read);
  EXPECT_EQ(read->entity["descr"], "diagnosis for the patient");
  EXPECT_TRUE(w.alice.strategies->was_asked(evil.public_key().spki_hex()));
  auto db = w.db();
  EXPECT_TRUE(attacker_reads(db, {evil}, {{"health_elements", id}}).empty());
}

TEST(Attack20PatientFlow, RewrittenExchangeDataMapIsNotFollowed) {
  World w;
  auto e = w.alice.core->create("HealthElement", he("for the patient"), {{}, {}, {{"pat-1", AccessLevel::kRead}}});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  ASSERT_OK(w.alice.core->share("HealthElement", id, "hcp-bob", AccessLevel::kRead));
  // The delegation to the patient names only alice: alice finds its exchange data through the
  // map. The attacker points the map at alice → bob's exchange data (encrypting its id with
  // alice's public key, all it needs).
  std::string bob_ed;
  std::string pat_delegation;
  {
    auto db = w.db();
    const Json stored = db.get("health_elements", id);
    for (const auto& [k, d] : stored["securityMetadata"]["secureDelegations"].items()) {
      if (d.value("delegate", "") == "hcp-bob") bob_ed = d.value("exchangeDataId", "");
      if (!d.contains("delegate") && d.value("delegator", "") == "hcp-alice") pat_delegation = k;
    }
    ASSERT_FALSE(bob_ed.empty());
    ASSERT_FALSE(pat_delegation.empty());
    auto alice_pub = crypto::RsaPublicKey::from_spki_hex(w.alice.spki(), crypto::RsaOaepHash::kSha256).value();
    Json map = db.get("exchange_data_maps", pat_delegation);
    map["encryptedExchangeDataIds"] = Json{
        {alice_pub.fingerprint_v2(), crypto::base64_encode(alice_pub.encrypt(as_bytes(bob_ed)).value())}};
    db.put("exchange_data_maps", map);
  }
  auto fresh_alice = Client{};
  fresh_alice.keys = w.alice.keys;
  fresh_alice.strategies = w.alice.strategies;
  ASSERT_OK(fresh_alice.start(w.server, "alice"));  // no cache: the map is followed anew
  auto read = fresh_alice.core->get("HealthElement", id);
  ASSERT_OK(read);  // through alice's own delegation
  EXPECT_EQ(read->entity["descr"], "for the patient");
  EXPECT_TRUE(fresh_alice.reported(id));  // the redirected delegation is reported, not used
  // The patient still reads its delegation (its side does not use the map).
  ASSERT_OK(w.pat.core->get("HealthElement", id));
}

}  // namespace
}  // namespace cardinal
