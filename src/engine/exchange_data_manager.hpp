// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Finds, creates, caches and verifies exchange data for the current user.
//
// Thread-safe. The cache is a bounded LRU of opened records, so that decrypting N entities costs
// one RSA decryption per distinct exchange data. Concurrent requests for exchange data to the same
// delegate create one record, not two. The highest revision of each record usable for new shares
// opened in the session is remembered (ids and revisions only, bounded): an older one is never
// used for new shares again (rollbacks, and the session's own listing once it is out of date).

#include <cardinal/model/crypto_model.hpp>
#include <cardinal/tamper_report.hpp>

#include "engine/exchange_data_crypto.hpp"
#include "engine/key_ring.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace cardinal::engine {

/// Where exchange data comes from (the REST API, or test fixtures).
class ExchangeDataSource {
 public:
  virtual ~ExchangeDataSource() = default;
  virtual Result<std::vector<model::ExchangeData>> get_by_ids(const std::vector<std::string>& ids) = 0;
  virtual Result<std::vector<model::ExchangeDataMap>> get_maps(const std::vector<std::string>& delegation_keys) = 0;
  virtual Result<std::vector<model::ExchangeData>> get_by_participant(const std::string& data_owner_id) = 0;
  /// `get_by_participant`, but the listing stops once it holds more than `max_records`
  /// (REST: after the page that passes it): nullopt then. The default lists everything and
  /// checks the size.
  virtual Result<std::optional<std::vector<model::ExchangeData>>> get_by_participant_bounded(
      const std::string& data_owner_id, std::size_t max_records);
  virtual Result<std::vector<model::ExchangeData>> get_by_delegator_delegate(const std::string& delegator,
                                                                             const std::string& delegate) = 0;
  virtual Result<model::ExchangeData> create(const model::ExchangeData& record) = 0;
  /// Creates several records at once (REST: `POST /rest/v2/exchangedata/bulk`, one request): the
  /// records created, with their revision; those the server did not create are left out (the
  /// caller matches them by id). The default calls `create` for each, stopping at the first error.
  virtual Result<std::vector<model::ExchangeData>> create_many(const std::vector<model::ExchangeData>& records);
  virtual Result<model::ExchangeData> update(const model::ExchangeData& record) = 0;
};

using OpenedExchangeData = std::shared_ptr<const DecryptedExchangeData>;

/// A delegate new data is encrypted for, with its keys verified now (empty for the user itself).
struct EncryptionTarget {
  std::string delegate;
  std::vector<crypto::RsaPublicKey> keys;
};

/// Remembers the OAEP hash each recipient entry of exchange data was encrypted with: the record
/// itself does not say, and a delegate whose private key uses another hash cannot open the entry.
/// Implementations are thread-safe.
class RecipientVariants {
 public:
  virtual ~RecipientVariants() = default;
  /// Records the hash of each recipient entry (by fingerprint v2) of exchange data we created.
  virtual void record(const std::string& exchange_data_id, const std::map<std::string, crypto::RsaOaepHash>& by_fp2) = 0;
  /// The hash the entry `fp2` of `exchange_data_id` was encrypted with, if known.
  virtual std::optional<crypto::RsaOaepHash> variant(const std::string& exchange_data_id, const std::string& fp2) = 0;
};

class ExchangeDataManager {
 public:
  ExchangeDataManager(std::string self_id, std::shared_ptr<const KeyRing> keys, ExchangeDataSource& source,
                      std::size_t cache_capacity, TamperListener on_tamper);

  /// Opens exchange data by id (cache first). Errors: kNotFound, kKeyNotAvailable, kTamperDetected…
  /// A record older than a revision seen before in the session (see `get_or_create_for_encryption`)
  /// still opens, to decrypt existing data (revisions only add recipients: the secrets stay): it
  /// is reported, not cached, and never used for new shares.
  Result<OpenedExchangeData> get(const std::string& id);
  /// Loads and opens every exchange data the user participates in (anonymous data owners find
  /// their delegations through it). Records that fail to open are reported, not fatal. Also
  /// renews the listing new shares look in (see `get_or_create_for_encryption`): the records this
  /// manager created stay in it, even when the server's answer predates them.
  Status load_all();
  /// The opened exchange data whose access control secret gives `delegation_key` for
  /// `entity_type`, among those loaded; null if none.
  OpenedExchangeData find_by_delegation_key(const std::string& delegation_key, std::string_view entity_type);
  /// Opens the exchange data of a delegation through its exchange data map (delegations that name
  /// us on one side and hide the other; each map is read once). Errors: kNotFound, kKeyNotAvailable.
  Result<OpenedExchangeData> get_via_map(const std::string& delegation_key);
  /// Remembers that the delegation `delegation_key` (whose anonymous side an exchange data map
  /// hides) uses exchange data `exchange_data_id`: the caller made that delegation, so reading it
  /// back does not read the map (`get_via_map`). What it names is still checked on every use.
  void remember_map_entry(const std::string& delegation_key, const std::string& exchange_data_id);
  /// Verified exchange data self → delegate for new shares: an existing record created by us,
  /// untampered, encrypted for at least one of `delegate_keys` and for no key outside our verified
  /// keys and `delegate_keys` (new data must reach only keys verified now), none of whose entries
  /// is known (see `set_recipient_variants`) to use another OAEP hash than the key it names; or a
  /// new one encrypted for our verified keys and `delegate_keys` (which the caller took from the
  /// verification hook). Errors: kNoVerifiedKey.
  /// Records whose id is in `exclude` are not used (a new one is created if no other fits): a
  /// second delegation to the same delegate needs other exchange data (permission upgrades).
  /// Where existing records are looked for: the cache, then a listing of the user's exchange data
  /// taken once per session (`get_by_participant_bounded`: one request per 1000 records over REST;
  /// renewed by `load_all`; the records this manager creates are added to it and kept through
  /// renewals), so the first share to N delegates costs one lookup instead of N. A user with more
  /// than `kListingMaxRecords` exchange data is not listed: each delegate is then looked up on its
  /// own (`get_by_delegator_delegate`). The listing is a snapshot: exchange data another device of
  /// the user creates later is not found, and a new record is created instead (as the official
  /// SDK's fully cached exchange data). Every record, listed or looked up, passes the same checks.
  /// A record older than the highest revision of it opened in the session (the server rolled it
  /// back, or the listing predates a revision `get` saw) is never used: a listed one is read again
  /// by id (`get_by_ids`), and kTamperDetected (naming the record and both revisions) when the
  /// server still answers the older revision; a looked-up one is skipped (and reported).
  Result<OpenedExchangeData> get_or_create_for_encryption(const std::string& delegate,
                                                          const std::vector<crypto::RsaPublicKey>& delegate_keys,
                                                          const std::set<std::string>& exclude = {});
  /// `get_or_create_for_encryption` for several delegates at once (the user itself included, with
  /// no keys): the records missing are created together in one request
  /// (`ExchangeDataSource::create_many`). Results in the order of `targets`. Errors: as the single
  /// form, for the first target that fails; kServerError when the server left a new record out
  /// of its answer (the others it created are kept and used).
  Result<std::vector<OpenedExchangeData>> get_or_create_for_encryption(const std::vector<EncryptionTarget>& targets);
  /// Every exchange data self → `delegate` the server lists that opens (any verification state).
  Result<std::vector<OpenedExchangeData>> all_to(const std::string& delegate);
  /// All opened exchange data in the cache (for access control headers).
  std::vector<OpenedExchangeData> cached() const;
  /// Counts RSA-backed openings (for benchmarks and tests).
  std::size_t openings() const;
  /// Where the OAEP hash of the entries of exchange data this manager creates is recorded, and
  /// looked up before a record is reused (call before first use; null: not tracked).
  void set_recipient_variants(std::shared_ptr<RecipientVariants> variants) { variants_ = std::move(variants); }

  /// Beyond this many exchange data, the user's records are not listed for new shares (memory,
  /// and the first share's wait): each delegate is looked up on its own.
  static constexpr std::size_t kListingMaxRecords = 5000;
  /// Records whose highest revision is remembered (least recently opened forgotten first). Only
  /// records usable for new shares count (our delegator signature): the server cannot make them
  /// up, only copy ours under other ids (ids are not signed), at one RSA decryption each.
  static constexpr std::size_t kRevisionMemory = 2 * kListingMaxRecords;

  [[nodiscard]] const std::string& self_id() const noexcept { return self_; }
  [[nodiscard]] const KeyRing& keys() const noexcept { return *keys_; }

 private:
  struct Wanted;        // what new data for one delegate needs (exchange_data_creation.cpp)
  class CreationGuard;  // one creation per delegate at a time
  Result<Wanted> wanted(const EncryptionTarget& target, const std::set<std::string>& exclude) const;
  bool usable(Wanted& w, const DecryptedExchangeData& d) const;
  Result<OpenedExchangeData> find_usable(Wanted& w);
  /// The records self → `delegate` of the session's listing (taken now if not yet), or nullopt
  /// when the user has too many exchange data to be listed.
  Result<std::optional<std::vector<model::ExchangeData>>> listed_to(const std::string& delegate);
  /// Installs the listing (null: the user has too many exchange data to be listed); an existing
  /// one is replaced only when `renew`.
  void set_listing(const std::vector<model::ExchangeData>* records, bool renew);
  /// Adds a record this manager created to the listing, and to those it installs later.
  void add_to_listing(const model::ExchangeData& record);
  /// Replaces the listed copy of `current` (a later revision read by id).
  void update_listing(const model::ExchangeData& current);
  Result<model::ExchangeData> build_new(const Wanted& w) const;
  Result<OpenedExchangeData> accept_created(Wanted& w, const model::ExchangeData& stored);
  /// Opens `record`; caches it and remembers its revision unless it is older than one seen (then
  /// reported, and returned uncached for decryption only).
  Result<OpenedExchangeData> open_and_cache(const model::ExchangeData& record);
  /// The cached record when it is `record`'s revision, or `record` is older; else `record` opened.
  Result<OpenedExchangeData> cached_or_open(const model::ExchangeData& record);
  /// A listed record, opened: when the listing holds an older revision than one seen, the current
  /// one read by id (and put in the listing). Null when it does not open (reported) or the server
  /// no longer has it. Errors: kTamperDetected when the server answers an older revision; the
  /// source's.
  Result<OpenedExchangeData> open_listed(const model::ExchangeData& listed);
  void put_locked(const OpenedExchangeData& opened);  // mutex_ held
  /// The revision of `record.id` seen before in the session when `record` is older; mutex_ held.
  [[nodiscard]] const std::string* newer_seen_locked(const model::ExchangeData& record) const;
  [[nodiscard]] std::optional<std::string> newer_seen(const model::ExchangeData& record) const;
  void remember_revision_locked(const model::ExchangeData& record);  // mutex_ held
  [[nodiscard]] Error rolled_back(const model::ExchangeData& record, const std::string& seen) const;
  OpenedExchangeData lookup(const std::string& id);
  void report(const std::string& id, const Error& error) const;

  std::string self_;
  std::shared_ptr<const KeyRing> keys_;
  ExchangeDataSource& source_;
  std::size_t capacity_;
  TamperListener on_tamper_;
  std::shared_ptr<RecipientVariants> variants_;

  mutable std::mutex mutex_;
  std::list<OpenedExchangeData> lru_;  // front = most recent
  std::unordered_map<std::string, std::list<OpenedExchangeData>::iterator> by_id_;
  std::size_t openings_ = 0;
  /// Exchange data id of each map read (delegation key → id): a map is read, and its entry
  /// RSA-decrypted, once. What it names is checked on every use (EntityCrypto::open).
  std::unordered_map<std::string, std::string> map_ids_;
  /// Highest revision opened of each record usable for new shares (id → generation and rev;
  /// bounded LRU, front = most recent).
  struct SeenRevision {
    std::uint64_t generation;
    std::string rev;
    std::list<std::string>::iterator order;
  };
  std::list<std::string> seen_order_;
  std::unordered_map<std::string, SeenRevision> seen_revisions_;

  /// The session's listing: records self → delegate, by delegate (see get_or_create_for_encryption).
  std::mutex listing_mutex_;
  bool listing_taken_ = false;  // true once listed, or found too large to list
  std::optional<std::unordered_map<std::string, std::vector<model::ExchangeData>>> listing_;
  /// The records this manager created (as stored), added to every listing installed: a listing
  /// answer that predates them (a renewal taken while they were created) does not lose them.
  /// At most kListingMaxRecords, the oldest dropped first.
  std::list<model::ExchangeData> created_;

  std::mutex create_mutex_;
  std::condition_variable create_cv_;
  std::set<std::string> creating_;  // delegates with a creation in flight
};

}  // namespace cardinal::engine
