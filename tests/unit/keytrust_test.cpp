// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Issue 13 §3 and §5, issue 14 §5 at unit level: the trust state (revisions, key bindings,
// exchange data variants), OAEP-variant-bound pins, per-hash delegate verification, and the
// new-key policy of the basic strategies.

#include <cardinal/keys/crypto_strategies.hpp>
#include <cardinal/keys/verification.hpp>

#include "api/trust_state.hpp"
#include "common/files.hpp"
#include "engine/data_owner_keys.hpp"
#include "engine/exchange_data_manager.hpp"
#include "memory_exchange_data_source.hpp"
#include "test_keys.hpp"
#include "test_util.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace cardinal {
namespace {

using cardinal::testing::test_key;
using crypto::RsaOaepHash;

std::filesystem::path temp_dir() {
  std::string t = (std::filesystem::temp_directory_path() / "cardinal-keytrust-XXXXXX").string();
  return mkdtemp(t.data());
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

model::DataOwner bob(std::vector<std::string> sha256, std::optional<std::string> legacy = std::nullopt) {
  Json j = Json{{"id", "hcp-bob"}, {"publicKeysForOaepWithSha256", sha256}};
  if (legacy) j["publicKey"] = *legacy;
  return model::DataOwner::from_json(model::DataOwnerType::kHcp, j).value();
}

TEST(TrustState, RevisionGenerations) {
  EXPECT_EQ(api::revision_generation("1-abc"), 1u);
  EXPECT_EQ(api::revision_generation("42-0f"), 42u);
  EXPECT_FALSE(api::revision_generation("abc"));
  EXPECT_FALSE(api::revision_generation("-1"));
  EXPECT_FALSE(api::revision_generation("x-1"));
  EXPECT_FALSE(api::revision_generation("99999999999999999999999-a"));
}

TEST(TrustState, LowerRevisionIsARollbackAndTheHighestIsKept) {
  auto state = api::TrustState::open({});
  ASSERT_OK(state);
  auto& s = **state;
  EXPECT_FALSE(s.observe_revision("HealthElement", "e1", "1-a"));
  EXPECT_FALSE(s.observe_revision("HealthElement", "e1", "3-c"));
  EXPECT_FALSE(s.observe_revision("HealthElement", "e1", "3-c"));
  EXPECT_EQ(s.observe_revision("HealthElement", "e1", "2-b"), 3u);
  EXPECT_EQ(s.observe_revision("HealthElement", "e1", "1-a"), 3u);  // never lowered
  EXPECT_FALSE(s.observe_revision("Patient", "e1", "1-a"));          // kinds are separate
  // A known record served without a numbered rev cannot be told newer: a rollback.
  EXPECT_EQ(s.observe_revision("HealthElement", "e1", "not a rev"), 3u);
  EXPECT_EQ(s.observe_revision("HealthElement", "e1", ""), 3u);
  EXPECT_FALSE(s.observe_revision("HealthElement", "never-seen", "not a rev"));
}

TEST(TrustState, MemoryIsBounded) {
  auto state = api::TrustState::open({2, std::nullopt});
  ASSERT_OK(state);
  auto& s = **state;
  s.observe_revision("X", "a", "5-a");
  s.observe_revision("X", "b", "5-b");
  s.observe_revision("X", "c", "5-c");  // evicts "a", the least recently seen
  EXPECT_FALSE(s.observe_revision("X", "a", "1-a"));
  EXPECT_EQ(s.observe_revision("X", "c", "1-c"), 5u);
}

TEST(TrustState, PersistsAcrossSessionsAndRefusesADamagedFile) {
  const auto dir = temp_dir();
  const auto file = dir / "state.json";
  const std::string spki = test_key(0).public_key().spki_hex();
  {
    auto state = api::TrustState::open({100, file});
    ASSERT_OK(state);
    (*state)->observe_revision("DataOwner", "hcp-bob", "7-x");
    (*state)->bind("hcp-bob", spki, RsaOaepHash::kSha256);
    (*state)->record("xd-1", {{"fp", RsaOaepHash::kSha1}});
  }  // flushed on destruction
  {
    auto state = api::TrustState::open({100, file});
    ASSERT_OK(state);
    EXPECT_EQ((*state)->observe_revision("DataOwner", "hcp-bob", "6-y"), 7u);
    EXPECT_EQ((*state)->bound_hash("hcp-bob", spki), RsaOaepHash::kSha256);
    EXPECT_EQ((*state)->variant("xd-1", "fp"), RsaOaepHash::kSha1);
    EXPECT_FALSE((*state)->variant("xd-1", "other"));
  }
  std::string text = read_text(file);
  for (const std::string& damaged : {text.substr(0, text.size() / 2), std::string("{\"version\":1,\"keys\":[[1,2]]}"),
                                     std::string("{\"version\":1,\"exchangeData\":[[\"x\",{\"fp\":\"md5\"}]]}"),
                                     std::string("\x01garbage")}) {
    ASSERT_OK(internal::write_atomically(file, as_bytes(damaged)));
    auto state = api::TrustState::open({100, file});
    ASSERT_FALSE(state.ok());
    EXPECT_EQ(state.error().code(), ErrorCode::kMalformedInput);
    EXPECT_NE(state.error().message().find("Deleting it starts over"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST(PinnedKeyVerifierVariants, PinIsBoundToItsOaepHash) {
  const auto dir = temp_dir();
  const std::string k = test_key(1).public_key().spki_hex();
  std::vector<keys::PinnedKeyVerifier::KeyEvent> events;
  auto v = keys::PinnedKeyVerifier::open(dir / "pins.json", [&](const keys::PinnedKeyVerifier::KeyEvent& e) {
    events.push_back(e);
    return keys::PinnedKeyVerifier::Decision::kReject;
  });
  ASSERT_OK(v);
  ASSERT_OK((*v)->pin("hcp-bob", k));  // out of band, modern list
  const auto same = (*v)->verify_keys("hcp-bob", {PublishedKey{k, RsaOaepHash::kSha256}});
  ASSERT_EQ(same.size(), 1u);
  EXPECT_TRUE(events.empty());
  // The same key seen in the legacy SHA-1 list: a new key for the callback, not accepted silently.
  EXPECT_TRUE((*v)->verify_keys("hcp-bob", {PublishedKey{k, RsaOaepHash::kSha1}}).empty());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].variant_changed);
  EXPECT_TRUE(events[0].owner_has_other_pins);
  EXPECT_EQ(events[0].hash, RsaOaepHash::kSha1);
  // Without a callback, rejected too.
  auto plain = keys::PinnedKeyVerifier::open(dir / "pins.json");
  ASSERT_OK(plain);
  EXPECT_TRUE((*plain)->verify_keys("hcp-bob", {PublishedKey{k, RsaOaepHash::kSha1}}).empty());
  EXPECT_EQ((*plain)->pinned_hashes("hcp-bob", k), std::vector<RsaOaepHash>{RsaOaepHash::kSha256});
  std::filesystem::remove_all(dir);
}

TEST(PinnedKeyVerifierVariants, VersionOnePinFilesAreReadAndBoundAtFirstUse) {
  const auto dir = temp_dir();
  const std::string k = test_key(1).public_key().spki_hex();
  const std::string legacy = test_key(2).public_key().spki_hex();
  const std::string v1 = Json{{"version", 1}, {"pins", {{"hcp-bob", {k, legacy}}}}}.dump();
  ASSERT_OK(internal::write_atomically(dir / "pins.json", as_bytes(v1)));
  {
    auto v = keys::PinnedKeyVerifier::open(dir / "pins.json");
    ASSERT_OK(v);
    EXPECT_EQ((*v)->pinned("hcp-bob").size(), 2u);
    EXPECT_TRUE((*v)->pinned_hashes("hcp-bob", k).empty());
    // Bound to the list each key is published in when next verified.
    EXPECT_EQ((*v)->verify_keys("hcp-bob", {PublishedKey{k, RsaOaepHash::kSha256}, PublishedKey{legacy, RsaOaepHash::kSha1}})
                  .size(),
              2u);
  }
  const auto doc = parse_json(read_text(dir / "pins.json"));
  ASSERT_OK(doc);
  EXPECT_EQ((*doc)["version"], 2);
  auto v = keys::PinnedKeyVerifier::open(dir / "pins.json");
  ASSERT_OK(v);
  EXPECT_EQ((*v)->pinned_hashes("hcp-bob", legacy), std::vector<RsaOaepHash>{RsaOaepHash::kSha1});
  EXPECT_TRUE((*v)->verify_keys("hcp-bob", {PublishedKey{k, RsaOaepHash::kSha1}}).empty());
  // The old, hash-blind API still answers for pinned keys.
  EXPECT_EQ((*v)->verify("hcp-bob", {k}).size(), 1u);
  std::filesystem::remove_all(dir);
}

class Bindings : public engine::KeyBindings {
 public:
  std::map<std::string, RsaOaepHash> bound;
  std::optional<RsaOaepHash> bound_hash(const std::string& owner, const std::string& spki) override {
    auto it = bound.find(owner + "/" + spki);
    if (it == bound.end()) return std::nullopt;
    return it->second;
  }
  void bind(const std::string& owner, const std::string& spki, RsaOaepHash hash) override {
    bound.emplace(owner + "/" + spki, hash);
  }
};

class AskedStrategies : public BasicCryptoStrategies {
 public:
  std::vector<std::string> asked;
  std::vector<std::string> verify_delegate_public_keys(const DataOwnerInfo& /*delegate*/,
                                                       const std::vector<std::string>& keys) override {
    asked.insert(asked.end(), keys.begin(), keys.end());
    return keys;
  }
};

TEST(DelegateKeysPerHash, KeyMovedToAnotherListIsNeitherOfferedNorUsed) {
  const std::string k = test_key(1).public_key().spki_hex();
  Bindings bindings;
  AskedStrategies strategies;
  auto first = engine::verified_delegate_keys(bob({k}), strategies, &bindings);
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().hash(), RsaOaepHash::kSha256);
  EXPECT_EQ(bindings.bound.at("hcp-bob/" + k), RsaOaepHash::kSha256);
  strategies.asked.clear();
  auto moved = engine::verified_delegate_keys(bob({}, k), strategies, &bindings);
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code(), ErrorCode::kTamperDetected) << moved.error().to_string();
  EXPECT_TRUE(strategies.asked.empty());
  // Another, unmoved key of the delegate is still usable.
  const std::string other = test_key(2).public_key().spki_hex();
  auto mixed = engine::verified_delegate_keys(bob({other}, k), strategies, &bindings);
  ASSERT_OK(mixed);
  ASSERT_EQ(mixed->size(), 1u);
  EXPECT_EQ(mixed->front().spki_hex(), other);
}

TEST(DelegateKeysPerHash, HookDecidesPerHashAndCannotChangeTheHash) {
  const std::string k = test_key(1).public_key().spki_hex();
  struct Sha1Only : BasicCryptoStrategies {
    std::vector<PublishedKey> verify_delegate_published_keys(const DataOwnerInfo& /*delegate*/,
                                                             const std::vector<PublishedKey>& keys) override {
      std::vector<PublishedKey> out;
      for (auto k : keys) {
        k.hash = RsaOaepHash::kSha1;  // a hook cannot re-label a key
        out.push_back(k);
      }
      return out;
    }
  } strategies;
  EXPECT_ERROR_CODE(engine::verified_delegate_keys(bob({k}), strategies), ErrorCode::kNoVerifiedKey);
}

TEST(NewKeyPolicy, ExistingDataOwnerGetsNoSilentNewKey) {
  const DataOwnerInfo with_keys{"hcp-alice", "hcp",
                                Json{{"id", "hcp-alice"},
                                     {"publicKeysForOaepWithSha256", {test_key(0).public_key().spki_hex()}}}};
  const DataOwnerInfo with_legacy_key{"hcp-alice", "hcp",
                                      Json{{"id", "hcp-alice"}, {"publicKey", test_key(0).public_key().spki_hex()}}};
  const DataOwnerInfo without{"hcp-alice", "hcp", Json{{"id", "hcp-alice"}}};
  BasicCryptoStrategies basic;
  EXPECT_EQ(basic.generate_new_key_for_data_owner(with_keys).kind, KeyGenerationDecision::Kind::kDeny);
  EXPECT_EQ(basic.generate_new_key_for_data_owner(with_legacy_key).kind, KeyGenerationDecision::Kind::kDeny);
  EXPECT_EQ(basic.generate_new_key_for_data_owner(without).kind, KeyGenerationDecision::Kind::kAllow);
  BasicCryptoStrategies opt_in(NewKeyPolicy::kAlways);
  EXPECT_EQ(opt_in.generate_new_key_for_data_owner(with_keys).kind, KeyGenerationDecision::Kind::kAllow);
}

class Variants : public engine::RecipientVariants {
 public:
  std::map<std::string, std::map<std::string, RsaOaepHash>> by_id;
  void record(const std::string& id, const std::map<std::string, RsaOaepHash>& m) override { by_id[id] = m; }
  std::optional<RsaOaepHash> variant(const std::string& id, const std::string& fp2) override {
    auto it = by_id.find(id);
    if (it == by_id.end() || it->second.count(fp2) == 0) return std::nullopt;
    return it->second.at(fp2);
  }
};

TEST(ExchangeDataVariants, ExchangeDataTheDelegateCannotOpenIsNeverReused) {
  testing::MemoryExchangeDataSource source;
  auto ring = std::make_shared<engine::KeyRing>();
  ring->add("hcp-alice", test_key(0), true);
  engine::ExchangeDataManager manager("hcp-alice", ring, source, 10, nullptr);
  auto variants = std::make_shared<Variants>();
  manager.set_recipient_variants(variants);
  const std::string k = test_key(1).public_key().spki_hex();
  auto as_sha1 = crypto::RsaPublicKey::from_spki_hex(k, RsaOaepHash::kSha1);
  auto as_sha256 = crypto::RsaPublicKey::from_spki_hex(k, RsaOaepHash::kSha256);
  ASSERT_OK(as_sha1);
  ASSERT_OK(as_sha256);
  auto wrong = manager.get_or_create_for_encryption("hcp-bob", {*as_sha1});
  ASSERT_OK(wrong);
  EXPECT_EQ(variants->variant((*wrong)->record.id, as_sha1->fingerprint_v2()), RsaOaepHash::kSha1);
  auto again = manager.get_or_create_for_encryption("hcp-bob", {*as_sha1});
  ASSERT_OK(again);
  EXPECT_EQ((*again)->record.id, (*wrong)->record.id);  // reused while the hash matches
  auto right = manager.get_or_create_for_encryption("hcp-bob", {*as_sha256});
  ASSERT_OK(right);
  EXPECT_NE((*right)->record.id, (*wrong)->record.id);
  // The delegate opens the new record with its (SHA-256) private key.
  engine::KeyRing bob_ring;
  bob_ring.add("hcp-bob", test_key(1), true);
  EXPECT_TRUE(engine::decrypt_exchange_data((*right)->record, bob_ring).ok());
  EXPECT_FALSE(engine::decrypt_exchange_data((*wrong)->record, bob_ring).ok());
}

TEST(ExchangeDataVariants, ExchangeDataReachingAKeyNotVerifiedNowIsNotReused) {
  testing::MemoryExchangeDataSource source;
  auto ring = std::make_shared<engine::KeyRing>();
  ring->add("hcp-alice", test_key(0), true);
  engine::ExchangeDataManager manager("hcp-alice", ring, source, 10, nullptr);
  const auto old_key = test_key(1).public_key();
  const auto new_key = test_key(2).public_key();
  auto both = manager.get_or_create_for_encryption("hcp-bob", {old_key, new_key});
  ASSERT_OK(both);
  auto only_new = manager.get_or_create_for_encryption("hcp-bob", {new_key});
  ASSERT_OK(only_new);
  EXPECT_NE((*only_new)->record.id, (*both)->record.id);
  EXPECT_EQ((*only_new)->record.exchange_key.count(old_key.fingerprint_v2()), 0u);
}

}  // namespace
}  // namespace cardinal
