// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/exchange_data_crypto.hpp"
#include "engine/exchange_data_manager.hpp"

#include <cardinal/crypto/encoding.hpp>

#include "memory_exchange_data_source.hpp"
#include "test_keys.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <functional>
#include <thread>
#include <utility>

namespace cardinal::engine {
namespace {

using cardinal::testing::test_key;

std::shared_ptr<KeyRing> ring(const std::string& owner, int key, bool verified = true) {
  auto r = std::make_shared<KeyRing>();
  r->add(owner, test_key(key), verified);
  return r;
}

// Appendix-C style check of the signed text's exact shape.
TEST(SharedSignature, ExactInputFormat) {
  SecretBytes raw_key = SecretBytes::zeros(32);
  for (std::size_t i = 0; i < 32; ++i) raw_key.mutable_data()[i] = static_cast<std::uint8_t>(i);
  auto key = crypto::AesKey::create(raw_key);
  ASSERT_OK(key);
  SecretBytes acs = SecretBytes::zeros(16);
  for (std::size_t i = 0; i < 16; ++i) acs.mutable_data()[i] = static_cast<std::uint8_t>(0xa0 + i);
  const std::string s = shared_signature_input("hcp-a", "hcp-b", *key, acs, {"ffff", "0000", "ffff"});
  EXPECT_EQ(s,
            "[[\"delegator\",\"hcp-a\"],[\"delegate\",\"hcp-b\"],[\"exchangeKey\",\"000102030405060708090a0b0c0d0e0f"
            "101112131415161718191a1b1c1d1e1f\"],[\"accessControlSecret\",\"AccessControlSecret(s=a0a1a2a3a4a5a6a7a8a9"
            "aaabacadaeaf)\"],[\"publicKeysFingerprints\",[\"0000\",\"ffff\"]]");
}

TEST(ExchangeData, BuildOpenVerify) {
  auto secrets = ExchangeSecrets::generate();
  ASSERT_OK(secrets);
  auto record = build_exchange_data("ed-1", "alice", "bob", *secrets,
                                    {test_key(0).public_key(), test_key(1).public_key()}, {&test_key(0)});
  ASSERT_OK(record);
  EXPECT_EQ(record->exchange_key.size(), 2u);
  EXPECT_EQ(record->delegator_signature.size(), 1u);

  auto as_alice = decrypt_exchange_data(*record, *ring("alice", 0));
  ASSERT_OK(as_alice);
  EXPECT_TRUE(as_alice->shared_signature_valid);
  EXPECT_TRUE(as_alice->delegator_signature_valid);
  EXPECT_TRUE(as_alice->verified_for_encryption("alice"));
  EXPECT_TRUE(as_alice->secrets.exchange_key == secrets->exchange_key);

  auto as_bob = decrypt_exchange_data(*record, *ring("bob", 1));
  ASSERT_OK(as_bob);
  EXPECT_TRUE(as_bob->shared_signature_valid);
  EXPECT_FALSE(as_bob->delegator_signature_valid);  // only the delegator can check it
  EXPECT_FALSE(as_bob->verified_for_encryption("bob"));

  EXPECT_ERROR_CODE(decrypt_exchange_data(*record, *ring("carol", 2)), ErrorCode::kKeyNotAvailable);
  // Round trip through JSON.
  auto reparsed = model::ExchangeData::from_json(record->to_json());
  ASSERT_OK(reparsed);
  auto again = decrypt_exchange_data(*reparsed, *ring("alice", 0));
  ASSERT_OK(again);
  EXPECT_TRUE(again->verified_for_encryption("alice"));
}

TEST(ExchangeData, TamperingIsDetected) {
  auto secrets = ExchangeSecrets::generate();
  ASSERT_OK(secrets);
  auto record = build_exchange_data("ed-1", "alice", "bob", *secrets,
                                    {test_key(0).public_key(), test_key(1).public_key()}, {&test_key(0)});
  ASSERT_OK(record);
  // Changed delegate id: shared signature fails.
  auto t1 = *record;
  t1.delegate = "mallory";
  auto o1 = decrypt_exchange_data(t1, *ring("alice", 0));
  ASSERT_OK(o1);
  EXPECT_FALSE(o1->shared_signature_valid);
  EXPECT_FALSE(o1->verified_for_encryption("alice"));
  // Attacker adds its own key entry to the maps: the fingerprint list changes, signature fails.
  auto t2 = *record;
  auto attacker_ct = test_key(3).public_key().encrypt(secrets->exchange_key.secret().reveal());
  ASSERT_OK(attacker_ct);
  t2.exchange_key[test_key(3).public_key().fingerprint_v2()] = crypto::base64_encode(*attacker_ct);
  auto o2 = decrypt_exchange_data(t2, *ring("alice", 0));
  ASSERT_OK(o2);
  EXPECT_FALSE(o2->shared_signature_valid);
  // Swapped exchange key for one the attacker knows (re-encrypted for alice): signature fails.
  auto other = ExchangeSecrets::generate();
  ASSERT_OK(other);
  auto t3 = *record;
  auto swapped = test_key(0).public_key().encrypt(other->exchange_key.secret().reveal());
  ASSERT_OK(swapped);
  t3.exchange_key[test_key(0).public_key().fingerprint_v2()] = crypto::base64_encode(*swapped);
  auto o3 = decrypt_exchange_data(t3, *ring("alice", 0));
  ASSERT_OK(o3);
  EXPECT_FALSE(o3->shared_signature_valid);
  // Only some secrets decrypt: tamper.
  auto t4 = *record;
  t4.access_control_secret.clear();
  EXPECT_ERROR_CODE(decrypt_exchange_data(t4, *ring("alice", 0)), ErrorCode::kTamperDetected);
  // Exchange data forged by an attacker who knows the secrets and re-signs the shared signature
  // with them: the delegator signature (keyed by alice's private key) cannot be forged.
  auto forged_secrets = ExchangeSecrets::generate();
  ASSERT_OK(forged_secrets);
  auto forged = build_exchange_data("ed-evil", "alice", "bob", *forged_secrets,
                                    {test_key(0).public_key(), test_key(1).public_key()}, {&test_key(3)});
  ASSERT_OK(forged);
  forged->delegator_signature = {
      {test_key(0).public_key().fingerprint_v2(), record->delegator_signature.begin()->second}};
  auto o5 = decrypt_exchange_data(*forged, *ring("alice", 0));
  ASSERT_OK(o5);
  EXPECT_TRUE(o5->shared_signature_valid);
  EXPECT_FALSE(o5->delegator_signature_valid);
  EXPECT_FALSE(o5->verified_for_encryption("alice"));
}

TEST(ExchangeData, UnverifiedOwnKeyNeitherSignsNorVerifies) {
  auto secrets = ExchangeSecrets::generate();
  ASSERT_OK(secrets);
  auto record = build_exchange_data("ed-1", "alice", "bob", *secrets, {test_key(0).public_key()}, {&test_key(0)});
  ASSERT_OK(record);
  auto opened = decrypt_exchange_data(*record, *ring("alice", 0, /*verified=*/false));
  ASSERT_OK(opened);
  EXPECT_TRUE(opened->shared_signature_valid);
  EXPECT_FALSE(opened->delegator_signature_valid);
}

TEST(ExchangeData, ExtendAddsRecipientAndResigns) {
  auto secrets = ExchangeSecrets::generate();
  ASSERT_OK(secrets);
  auto record = build_exchange_data("ed-1", "alice", "bob", *secrets,
                                    {test_key(0).public_key(), test_key(1).public_key()}, {&test_key(0)});
  ASSERT_OK(record);
  auto alice = std::make_shared<KeyRing>();
  alice->add("alice", test_key(0), true);
  alice->add("alice", test_key(2), true);  // rotated-in key
  auto opened = decrypt_exchange_data(*record, *alice);
  ASSERT_OK(opened);
  auto extended = extend_exchange_data(*opened, {test_key(2).public_key()}, {&test_key(0), &test_key(2)});
  ASSERT_OK(extended);
  EXPECT_EQ(extended->exchange_key.size(), 3u);
  EXPECT_EQ(extended->delegator_signature.size(), 2u);
  auto with_new_only = decrypt_exchange_data(*extended, *ring("alice", 2));
  ASSERT_OK(with_new_only);
  EXPECT_TRUE(with_new_only->verified_for_encryption("alice"));
}

TEST(ExchangeDataManager, ReusesVerifiedDataAndCreatesOnce) {
  testing::MemoryExchangeDataSource source;
  std::vector<TamperReport> events;
  std::mutex events_mutex;
  ExchangeDataManager alice("alice", ring("alice", 0), source, 10, [&](const TamperReport& e) {
    std::lock_guard lock(events_mutex);
    events.push_back(e);
  });
  const std::vector<crypto::RsaPublicKey> bob_keys = {test_key(1).public_key()};
  std::vector<std::thread> threads;
  std::vector<std::string> ids(8);
  for (std::size_t i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto ed = alice.get_or_create_for_encryption("bob", bob_keys);
      if (ed.ok()) ids[i] = (*ed)->record.id;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(source.creations.load(), 1);
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);

  // A fresh manager (new device, same key) finds and reuses it instead of creating another.
  ExchangeDataManager again("alice", ring("alice", 0), source, 10, nullptr);
  auto ed = again.get_or_create_for_encryption("bob", bob_keys);
  ASSERT_OK(ed);
  EXPECT_EQ((*ed)->record.id, ids[0]);
  EXPECT_EQ(source.creations.load(), 1);
  EXPECT_TRUE(events.empty());

  // No verified delegate key: refused.
  EXPECT_ERROR_CODE(again.get_or_create_for_encryption("bob", {}), ErrorCode::kNoVerifiedKey);
}

// A source whose bulk creation is counted and may leave one record out (as the platform filters
// errors out of its answer).
class BulkSource : public testing::MemoryExchangeDataSource {
 public:
  Result<std::vector<model::ExchangeData>> create_many(const std::vector<model::ExchangeData>& records) override {
    ++bulk_calls;
    bulk_sizes.push_back(records.size());
    std::vector<model::ExchangeData> out;
    for (const auto& r : records) {
      if (r.delegate == drop_delegate) continue;
      CARDINAL_ASSIGN_OR_RETURN(auto stored, create(r));
      out.push_back(std::move(stored));
    }
    return out;
  }
  int bulk_calls = 0;
  std::vector<std::size_t> bulk_sizes;
  std::string drop_delegate;
};

TEST(ExchangeDataManager, SeveralDelegatesAreCreatedInOneBulkCall) {
  BulkSource source;
  ExchangeDataManager alice("alice", ring("alice", 0), source, 10, nullptr);
  const std::vector<crypto::RsaPublicKey> bob = {test_key(1).public_key()}, carol = {test_key(2).public_key()};
  auto existing = alice.get_or_create_for_encryption("bob", bob);  // one by one: no bulk call
  ASSERT_OK(existing);
  EXPECT_EQ(source.bulk_calls, 0);

  auto all = alice.get_or_create_for_encryption(
      std::vector<EncryptionTarget>{{"alice", {}}, {"bob", bob}, {"carol", carol}, {"bob", bob}});
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(source.bulk_calls, 1);
  EXPECT_EQ(source.bulk_sizes, std::vector<std::size_t>{2}) << "self and carol; bob's exists";
  EXPECT_EQ((*all)[1]->record.id, (*existing)->record.id);
  EXPECT_EQ((*all)[3], (*all)[1]) << "a delegate named twice gets one record";
  EXPECT_EQ((*all)[0]->record.delegate, "alice");
  EXPECT_EQ((*all)[2]->record.delegate, "carol");
  // The single form now finds them all without creating.
  const int creations = source.creations.load();
  ASSERT_OK(alice.get_or_create_for_encryption("carol", carol));
  ASSERT_OK(alice.get_or_create_for_encryption("alice", {}));
  EXPECT_EQ(source.creations.load(), creations);
  // A delegate without a verified key fails the whole call before anything is created.
  EXPECT_ERROR_CODE(alice.get_or_create_for_encryption(std::vector<EncryptionTarget>{{"dave", {}}, {"erin", carol}}),
                    ErrorCode::kNoVerifiedKey);
  EXPECT_EQ(source.bulk_calls, 1);
}

TEST(ExchangeDataManager, ARecordTheServerLeftOutIsAnErrorAndTheOthersAreKept) {
  BulkSource source;
  source.drop_delegate = "carol";
  ExchangeDataManager alice("alice", ring("alice", 0), source, 10, nullptr);
  const std::vector<crypto::RsaPublicKey> bob = {test_key(1).public_key()}, carol = {test_key(2).public_key()};
  const std::vector<EncryptionTarget> targets{{"bob", bob}, {"carol", carol}};
  auto first = alice.get_or_create_for_encryption(targets);
  EXPECT_ERROR_CODE(first, ErrorCode::kServerError);
  if (!first.ok()) {
    EXPECT_NE(first.error().message().find("carol"), std::string::npos) << first.error().message();
  }
  source.drop_delegate.clear();
  auto retry = alice.get_or_create_for_encryption(targets);
  ASSERT_OK(retry);
  EXPECT_EQ(source.bulk_calls, 1) << "bob's record was kept: the retry creates carol's alone";
  EXPECT_EQ(source.creations.load(), 2);
}

// A source that counts the lookups new shares make, and may rewrite the listing.
class ListingSource : public BulkSource {
 public:
  Result<std::optional<std::vector<model::ExchangeData>>> get_by_participant_bounded(const std::string& id,
                                                                                     std::size_t max) override {
    ++listings;
    auto listed = ExchangeDataSource::get_by_participant_bounded(id, max);
    if (listed.ok() && *listed && rewrite) rewrite(**listed);
    return listed;
  }
  Result<std::vector<model::ExchangeData>> get_by_delegator_delegate(const std::string& delegator,
                                                                     const std::string& delegate) override {
    ++pair_lookups;
    return MemoryExchangeDataSource::get_by_delegator_delegate(delegator, delegate);
  }
  std::function<void(std::vector<model::ExchangeData>&)> rewrite;
  int listings = 0, pair_lookups = 0;
};

TEST(ExchangeDataManager, TheUsersExchangeDataAreListedOnceForAllDelegates) {
  ListingSource source;
  const std::vector<crypto::RsaPublicKey> bob = {test_key(1).public_key()}, carol = {test_key(2).public_key()};
  {
    ExchangeDataManager first("alice", ring("alice", 0), source, 10, nullptr);
    ASSERT_OK(first.get_or_create_for_encryption(std::vector<EncryptionTarget>{{"alice", {}}, {"bob", bob}}));
    EXPECT_EQ(source.listings, 1);
    // carol: not in the listing, created without a lookup.
    ASSERT_OK(first.get_or_create_for_encryption("carol", carol));
    EXPECT_EQ(source.listings, 1);
    EXPECT_EQ(source.pair_lookups, 0);
    EXPECT_EQ(source.creations.load(), 3);
  }
  // A new session (cache 1: the listing, not the cache, remembers): one listing, nothing created.
  ExchangeDataManager second("alice", ring("alice", 0), source, 1, nullptr);
  for (const auto& [d, k] : std::vector<std::pair<std::string, std::vector<crypto::RsaPublicKey>>>{
           {"bob", bob}, {"carol", carol}, {"alice", {}}, {"bob", bob}}) {
    auto ed = second.get_or_create_for_encryption(d, k);
    ASSERT_OK(ed);
    EXPECT_EQ((*ed)->record.delegate, d);
  }
  EXPECT_EQ(source.listings, 2);
  EXPECT_EQ(source.pair_lookups, 0);
  EXPECT_EQ(source.creations.load(), 3);
}

// What the listing holds is checked like a lookup's answer: a forged record naming alice as
// delegator is reported and not used, a record of another pair or a duplicate is not used for
// another delegate, and a record left out means a new one (never an unverified one).
TEST(ExchangeDataManager, AListingWithForgedOtherOrDuplicatedRecordsGivesOnlyVerifiedData) {
  ListingSource source;
  const std::vector<crypto::RsaPublicKey> bob = {test_key(1).public_key()}, carol = {test_key(2).public_key()};
  std::string genuine;
  {
    ExchangeDataManager first("alice", ring("alice", 0), source, 10, nullptr);
    auto ed = first.get_or_create_for_encryption("bob", bob);
    ASSERT_OK(ed);
    genuine = (*ed)->record.id;
  }
  auto secrets = ExchangeSecrets::generate();
  ASSERT_OK(secrets);
  auto forged = build_exchange_data("ed-forged", "alice", "bob", *secrets,
                                    {test_key(0).public_key(), test_key(1).public_key()}, {&test_key(3)});
  ASSERT_OK(forged);
  auto to_carol = build_exchange_data("ed-other-pair", "bob", "carol", *secrets,
                                      {test_key(1).public_key(), test_key(2).public_key()}, {&test_key(1)});
  ASSERT_OK(to_carol);
  source.rewrite = [&](std::vector<model::ExchangeData>& rows) {
    std::vector<model::ExchangeData> out{*forged, *to_carol};
    for (const auto& r : rows) {
      out.push_back(r);
      out.push_back(r);  // each twice
    }
    rows = std::move(out);
  };
  std::vector<TamperReport> events;
  ExchangeDataManager alice("alice", ring("alice", 0), source, 10, [&](const TamperReport& e) { events.push_back(e); });
  auto ed = alice.get_or_create_for_encryption("bob", bob);
  ASSERT_OK(ed);
  EXPECT_EQ((*ed)->record.id, genuine) << "the forged record comes first and is skipped";
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].record_id, "ed-forged");
  auto c = alice.get_or_create_for_encryption("carol", carol);
  ASSERT_OK(c);
  EXPECT_NE((*c)->record.id, "ed-other-pair");
  EXPECT_EQ((*c)->record.delegator, "alice");
  EXPECT_EQ(source.creations.load(), 2) << "carol's created; bob's reused once, not twice";

  // The genuine record left out of the listing: a new one, not the forged one.
  source.rewrite = [&](std::vector<model::ExchangeData>& rows) {
    rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const model::ExchangeData& r) { return r.id == genuine; }),
               rows.end());
    rows.insert(rows.begin(), *forged);
  };
  ExchangeDataManager hidden("alice", ring("alice", 0), source, 10, nullptr);
  auto fresh = hidden.get_or_create_for_encryption("bob", bob);
  ASSERT_OK(fresh);
  EXPECT_NE((*fresh)->record.id, genuine);
  EXPECT_NE((*fresh)->record.id, "ed-forged");
  EXPECT_TRUE((*fresh)->verified_for_encryption("alice"));
  EXPECT_EQ(source.pair_lookups, 0);
}

// More exchange data than can be listed: each delegate is looked up on its own, and the listing
// is not tried again.
TEST(ExchangeDataManager, TooManyExchangeDataToListMeansOneLookupPerDelegate) {
  ListingSource source;
  for (std::size_t i = 0; i <= ExchangeDataManager::kListingMaxRecords; ++i) {
    model::ExchangeData r;
    r.id = "ed-" + std::to_string(i);
    r.rev = "1-x";
    r.delegator = "alice";
    r.delegate = "patient-" + std::to_string(i);
    source.add(r);
  }
  const std::vector<crypto::RsaPublicKey> bob = {test_key(1).public_key()}, carol = {test_key(2).public_key()};
  ExchangeDataManager alice("alice", ring("alice", 0), source, 10, nullptr);
  ASSERT_OK(alice.get_or_create_for_encryption("bob", bob));
  ASSERT_OK(alice.get_or_create_for_encryption("carol", carol));
  EXPECT_EQ(source.listings, 1);
  EXPECT_EQ(source.pair_lookups, 2);
  EXPECT_EQ(source.creations.load(), 2);
}

// A source that may answer other revisions than it holds: `rewrite` rewrites both listings,
// `by_ids` the records read by id, and `on_listing` runs once inside a listing request (after its
// answer is taken: what happens then is not in it).
class RevisionSource : public ListingSource {
 public:
  Result<std::vector<model::ExchangeData>> get_by_ids(const std::vector<std::string>& ids) override {
    ++by_id_reads;
    auto out = MemoryExchangeDataSource::get_by_ids(ids);
    if (out.ok() && by_ids) by_ids(*out);
    return out;
  }
  Result<std::vector<model::ExchangeData>> get_by_participant(const std::string& id) override {
    auto out = MemoryExchangeDataSource::get_by_participant(id);
    // load_all's listing (the bounded one rewrites it again)
    if (out.ok() && rewrite) rewrite(*out);
    if (on_listing) std::exchange(on_listing, nullptr)();  // once
    return out;
  }
  std::function<void(std::vector<model::ExchangeData>&)> by_ids;
  std::function<void()> on_listing;
  int by_id_reads = 0;
};

// Replaces the record `id` in `rows` by `with` (the older revision a server rolls back to).
void serve(std::vector<model::ExchangeData>& rows, const model::ExchangeData& with) {
  for (auto& r : rows) {
    if (r.id == with.id) r = with;
  }
}

// Exchange data alice → bob at revision 1, then extended to alice's second key (revision 2). A
// session lists it at revision 1, reads revision 2 by id (to decrypt), lets it go from its cache
// (capacity 1) and shares with bob: revision 2 is used, never the listed revision 1; a server that
// then answers revision 1 by id too is refused for new shares (typed error naming both
// revisions) and the record still decrypts existing data.
TEST(ExchangeDataManager, AnOlderRevisionThanOneSeenIsNeverUsedForNewShares) {
  RevisionSource source;
  auto two_keys = std::make_shared<KeyRing>();
  two_keys->add("alice", test_key(0), true);
  two_keys->add("alice", test_key(2), true);
  const std::vector<crypto::RsaPublicKey> bob = {test_key(1).public_key()};
  model::ExchangeData rev1;
  {
    ExchangeDataManager first("alice", ring("alice", 0), source, 10, nullptr);
    auto ed = first.get_or_create_for_encryption("bob", bob);
    ASSERT_OK(ed);
    rev1 = (*ed)->record;
    ASSERT_EQ(rev1.rev, "1-x");
    auto opened = decrypt_exchange_data(rev1, *two_keys);
    ASSERT_OK(opened);
    auto rev2 = extend_exchange_data(*opened, {test_key(2).public_key()}, {&test_key(0), &test_key(2)});
    ASSERT_OK(rev2);
    rev2->rev = "2-y";
    ASSERT_OK(source.update(*rev2));
  }
  const std::string id = rev1.id;
  source.rewrite = [&](std::vector<model::ExchangeData>& rows) { serve(rows, rev1); };  // listed at rev 1

  std::vector<TamperReport> events;
  ExchangeDataManager alice("alice", two_keys, source, 1, [&](const TamperReport& e) { events.push_back(e); });
  auto self = alice.get_or_create_for_encryption("alice", {});  // takes the listing; caches self's
  ASSERT_OK(self);
  EXPECT_EQ(source.listings, 2) << "the first session's, this one's";
  auto read = alice.get(id);  // revision 2, to decrypt; self's leaves the cache
  ASSERT_OK(read);
  EXPECT_EQ((*read)->record.rev, "2-y");
  ASSERT_OK(alice.get((*self)->record.id));  // and revision 2 leaves it in turn
  const int reads = source.by_id_reads;

  auto shared = alice.get_or_create_for_encryption("bob", bob);
  ASSERT_OK(shared);
  EXPECT_EQ((*shared)->record.id, id);
  EXPECT_EQ((*shared)->record.rev, "2-y") << "the listed revision 1 is older than the revision 2 seen";
  EXPECT_EQ((*shared)->record.exchange_key.size(), 3u);
  EXPECT_EQ(source.by_id_reads, reads + 1) << "read again by id";
  EXPECT_EQ(source.creations.load(), 2) << "bob's and self's: no second record to bob";
  EXPECT_TRUE(events.empty());

  // Another session lists revision 2 and uses it; then the server rolls back, in its listing
  // and its answers by id: refused for new shares, nothing created, and reported.
  source.rewrite = nullptr;
  ExchangeDataManager again("alice", two_keys, source, 1, [&](const TamperReport& e) { events.push_back(e); });
  ASSERT_OK(again.get_or_create_for_encryption("bob", bob));
  source.rewrite = [&](std::vector<model::ExchangeData>& rows) { serve(rows, rev1); };
  source.by_ids = [&](std::vector<model::ExchangeData>& rows) { serve(rows, rev1); };
  ASSERT_OK(again.load_all());  // renewed listing at revision 1; self's pushes revision 2 out of the cache
  events.clear();
  auto refused = again.get_or_create_for_encryption("bob", bob);
  EXPECT_ERROR_CODE(refused, ErrorCode::kTamperDetected);
  if (!refused.ok()) {
    const std::string& m = refused.error().message();
    EXPECT_NE(m.find(id), std::string::npos) << m;
    EXPECT_NE(m.find("older revision ('1-x')"), std::string::npos) << m;
    EXPECT_NE(m.find("'2-y'"), std::string::npos) << m;
  }
  EXPECT_EQ(source.creations.load(), 2) << "bob's and self's: none for bob";
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().record_id, id);

  // Existing data still decrypts with it (same secrets); it is not cached nor used for new data.
  events.clear();
  auto old = again.get(id);
  ASSERT_OK(old);
  EXPECT_EQ((*old)->record.rev, "1-x");
  EXPECT_TRUE((*old)->secrets.exchange_key == (*shared)->secrets.exchange_key);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].error.message().find("rollback"), std::string::npos) << events[0].error.message();
  EXPECT_ERROR_CODE(again.get_or_create_for_encryption("bob", bob), ErrorCode::kTamperDetected);
  EXPECT_EQ(source.creations.load(), 2);
}

// `load_all` renews the listing with an answer taken before a record was created (the creation
// runs while the listing request is under way): the created record stays listed, and a later
// share to the same delegate, once the cache has let it go, reuses it instead of creating another.
TEST(ExchangeDataManager, ARenewedListingThatPredatesACreationKeepsTheCreatedRecord) {
  RevisionSource source;
  const std::vector<crypto::RsaPublicKey> bob = {test_key(1).public_key()};
  ExchangeDataManager alice("alice", ring("alice", 0), source, 1, nullptr);
  ASSERT_OK(alice.get_or_create_for_encryption("alice", {}));  // the session's listing (empty)
  std::string created;
  source.on_listing = [&] {
    auto ed = alice.get_or_create_for_encryption("bob", bob);
    ASSERT_OK(ed);
    created = (*ed)->record.id;
  };
  ASSERT_OK(alice.load_all());
  ASSERT_FALSE(created.empty());
  EXPECT_EQ(source.creations.load(), 2);
  ASSERT_OK(alice.get_or_create_for_encryption("alice", {}));  // self's cached: bob's is not (capacity 1)

  auto again = alice.get_or_create_for_encryption("bob", bob);
  ASSERT_OK(again);
  EXPECT_EQ((*again)->record.id, created) << "found in the renewed listing";
  EXPECT_EQ(source.creations.load(), 2) << "no duplicate exchange data alice -> bob";
  EXPECT_EQ(source.pair_lookups, 0);
}

TEST(ExchangeDataManager, ForgedDataIsNotReusedAndIsReported) {
  testing::MemoryExchangeDataSource source;
  // The attacker plants exchange data "alice → bob" that it knows, encrypted for both keys.
  auto secrets = ExchangeSecrets::generate();
  ASSERT_OK(secrets);
  auto forged = build_exchange_data("ed-forged", "alice", "bob", *secrets,
                                    {test_key(0).public_key(), test_key(1).public_key()}, {&test_key(3)});
  ASSERT_OK(forged);
  source.add(*forged);
  std::vector<TamperReport> events;
  ExchangeDataManager alice("alice", ring("alice", 0), source, 10, [&](const TamperReport& e) { events.push_back(e); });
  auto ed = alice.get_or_create_for_encryption("bob", {test_key(1).public_key()});
  ASSERT_OK(ed);
  EXPECT_NE((*ed)->record.id, "ed-forged");
  EXPECT_FALSE((*ed)->secrets.exchange_key == secrets->exchange_key);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].record_id, "ed-forged");
  // It is still usable to decrypt existing data.
  auto old = alice.get("ed-forged");
  ASSERT_OK(old);
}

TEST(ExchangeDataManager, CacheBoundsRsaWork) {
  testing::MemoryExchangeDataSource source;
  ExchangeDataManager alice("alice", ring("alice", 0), source, 2, nullptr);
  auto ed = alice.get_or_create_for_encryption("alice", {});
  ASSERT_OK(ed);
  const auto before = alice.openings();
  for (int i = 0; i < 50; ++i) ASSERT_OK(alice.get((*ed)->record.id));
  EXPECT_EQ(alice.openings(), before);
  EXPECT_ERROR_CODE(alice.get("missing"), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cardinal::engine
