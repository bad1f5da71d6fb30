// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// ExchangeDataManager: exchange data for new shares (found, or created: one by one or several in
// one request).

#include "engine/exchange_data_manager.hpp"

#include <cardinal/crypto/random.hpp>

#include <algorithm>
#include <optional>

namespace cardinal::engine {

struct ExchangeDataManager::Wanted {
  std::string delegate;
  std::vector<crypto::RsaPublicKey> delegate_keys;
  std::set<std::string> exclude;
  // Our verified keys and the delegate's verified keys.
  std::vector<crypto::RsaPublicKey> recipients;
  std::vector<const crypto::RsaPrivateKey*> signers;
  // The keys new data may reach, with the OAEP hash each is verified for.
  std::map<std::string, crypto::RsaOaepHash> allowed;
  std::set<std::string> reported_variants;
};

// One creation per delegate at a time: later callers wait and then find the new record. A batch
// waits until none of its delegates is being created, then holds them all.
class ExchangeDataManager::CreationGuard {
 public:
  CreationGuard(ExchangeDataManager& m, std::set<std::string> delegates) : m_(m), delegates_(std::move(delegates)) {
    std::unique_lock lock(m_.create_mutex_);
    m_.create_cv_.wait(lock, [&] {
      for (const auto& d : delegates_) {
        if (m_.creating_.count(d) != 0) return false;
      }
      return true;
    });
    m_.creating_.insert(delegates_.begin(), delegates_.end());
  }
  ~CreationGuard() {
    std::lock_guard lock(m_.create_mutex_);
    for (const auto& d : delegates_) m_.creating_.erase(d);
    m_.create_cv_.notify_all();
  }
  CreationGuard(const CreationGuard&) = delete;
  CreationGuard& operator=(const CreationGuard&) = delete;

 private:
  ExchangeDataManager& m_;
  std::set<std::string> delegates_;
};

Result<ExchangeDataManager::Wanted> ExchangeDataManager::wanted(const EncryptionTarget& target,
                                                               const std::set<std::string>& exclude) const {
  const auto own_verified = keys_->verified_keys_of(self_);
  if (own_verified.empty()) return Error{ErrorCode::kNoVerifiedKey, "the current user has no verified key"};
  if (target.delegate != self_ && target.keys.empty()) {
    return Error{ErrorCode::kNoVerifiedKey, "no public key of data owner " + target.delegate + " is verified"};
  }
  Wanted w{target.delegate, target.keys, exclude, {}, {}, {}, {}};
  for (const auto* k : own_verified) {
    w.recipients.push_back(k->key.public_key());
    w.signers.push_back(&k->key);
  }
  if (target.delegate != self_) w.recipients.insert(w.recipients.end(), target.keys.begin(), target.keys.end());
  for (const auto& k : w.recipients) w.allowed.emplace(k.fingerprint_v2(), k.hash());
  return w;
}

bool ExchangeDataManager::usable(Wanted& w, const DecryptedExchangeData& d) const {
  if (d.record.delegate != w.delegate || w.exclude.count(d.record.id) != 0 || !d.verified_for_encryption(self_) ||
      newer_seen(d.record)) {
    return false;
  }
  bool covers_delegate = w.delegate == self_;
  for (const auto* m : {&d.record.exchange_key, &d.record.access_control_secret, &d.record.shared_signature_key}) {
    for (const auto& [fp, ct] : *m) {
      auto a = w.allowed.find(fp);
      if (a == w.allowed.end()) return false;  // reaches a key not verified now: not for new data
      if (variants_) {
        const auto made_with = variants_->variant(d.record.id, fp);
        if (made_with && *made_with != a->second) {
          if (w.reported_variants.insert(d.record.id).second) {
            report(d.record.id, Error{ErrorCode::kVerificationFailed,
                                      "exchange data " + d.record.id + " was encrypted for key " + fp + " with " +
                                          std::string(crypto::to_string(*made_with)) +
                                          " but that key is verified for " + std::string(crypto::to_string(a->second)) +
                                          ": its owner cannot open it; not reused for new shares"});
          }
          return false;
        }
      }
      if (w.delegate != self_ && m == &d.record.exchange_key) {
        for (const auto& k : w.delegate_keys) covers_delegate = covers_delegate || k.fingerprint_v2() == fp;
      }
    }
  }
  return covers_delegate;
}

void ExchangeDataManager::set_listing(const std::vector<model::ExchangeData>* records, bool renew) {
  std::lock_guard lock(listing_mutex_);
  if (listing_taken_ && !renew) return;
  listing_taken_ = true;
  listing_.reset();
  if (records == nullptr) return;
  listing_.emplace();
  std::set<std::string> seen;
  for (const auto& r : *records) {
    // Only what new shares may use: records naming us as delegator (their delegator signature is
    // checked when opened), each id once (the first of duplicates, as the backends keep).
    if (r.delegator == self_ && seen.insert(r.id).second) (*listing_)[r.delegate].push_back(r);
  }
  // Merged, not replaced: an answer taken while records were created (or before) lacks them.
  for (const auto& c : created_) {
    if (seen.insert(c.id).second) (*listing_)[c.delegate].push_back(c);
  }
}

void ExchangeDataManager::add_to_listing(const model::ExchangeData& record) {
  std::lock_guard lock(listing_mutex_);
  created_.push_back(record);
  if (created_.size() > kListingMaxRecords) created_.pop_front();
  if (listing_) (*listing_)[record.delegate].push_back(record);
}

void ExchangeDataManager::update_listing(const model::ExchangeData& current) {
  std::lock_guard lock(listing_mutex_);
  if (!listing_ || current.delegator != self_) return;
  auto of_delegate = listing_->find(current.delegate);
  if (of_delegate == listing_->end()) return;
  for (auto& r : of_delegate->second) {
    if (r.id == current.id) r = current;
  }
}

Result<OpenedExchangeData> ExchangeDataManager::open_listed(const model::ExchangeData& listed) {
  const model::ExchangeData* record = &listed;
  std::vector<model::ExchangeData> now;
  if (newer_seen(listed)) {
    // The listing predates a revision opened since (or the server listed an older one): read again.
    CARDINAL_ASSIGN_OR_RETURN(now, source_.get_by_ids({listed.id}));
    const auto it =
        std::find_if(now.begin(), now.end(), [&](const model::ExchangeData& r) { return r.id == listed.id; });
    if (it == now.end()) return OpenedExchangeData{};
    if (auto seen = newer_seen(*it)) {
      Error refused = rolled_back(*it, *seen);
      report(it->id, refused);
      return refused;
    }
    update_listing(*it);
    record = &*it;
  }
  auto opened = open_and_cache(*record);
  if (!opened.ok()) return OpenedExchangeData{};  // reported inside: another record, or a new one
  return opened;
}

Result<std::optional<std::vector<model::ExchangeData>>> ExchangeDataManager::listed_to(const std::string& delegate) {
  using Listed = std::optional<std::vector<model::ExchangeData>>;
  auto of_delegate = [&]() -> Listed {  // listing_mutex_ held
    if (!listing_) return Listed{};
    auto it = listing_->find(delegate);
    return Listed(it != listing_->end() ? it->second : std::vector<model::ExchangeData>{});
  };
  {
    std::lock_guard lock(listing_mutex_);
    if (listing_taken_) return of_delegate();
  }
  // Taken outside the lock (a request). Two first shares at once may both list: the first
  // listing installed stays (it may already hold records created since).
  CARDINAL_ASSIGN_OR_RETURN(auto listed, source_.get_by_participant_bounded(self_, kListingMaxRecords));
  set_listing(listed ? &*listed : nullptr, /*renew=*/false);
  std::lock_guard lock(listing_mutex_);
  return of_delegate();
}

// A usable record from the cache or the server; null when a new one is needed.
Result<OpenedExchangeData> ExchangeDataManager::find_usable(Wanted& w) {
  for (const auto& c : cached()) {
    if (usable(w, *c)) return c;
  }
  CARDINAL_ASSIGN_OR_RETURN(auto listed, listed_to(w.delegate));
  if (listed) {
    // A snapshot: a record still in the cache was judged above (the cache may hold a later revision).
    for (const auto& r : *listed) {
      if (lookup(r.id)) continue;
      CARDINAL_ASSIGN_OR_RETURN(auto opened, open_listed(r));
      if (opened && usable(w, *opened)) return opened;
    }
    return OpenedExchangeData{};
  }
  CARDINAL_ASSIGN_OR_RETURN(auto existing, source_.get_by_delegator_delegate(self_, w.delegate));
  for (const auto& r : existing) {
    auto opened = cached_or_open(r);
    if (opened.ok() && usable(w, **opened)) return opened;
  }
  return OpenedExchangeData{};
}

Result<model::ExchangeData> ExchangeDataManager::build_new(const Wanted& w) const {
  CARDINAL_ASSIGN_OR_RETURN(ExchangeSecrets secrets, ExchangeSecrets::generate());
  CARDINAL_ASSIGN_OR_RETURN(std::string id, crypto::random_uuid());
  CARDINAL_ASSIGN_OR_RETURN(model::ExchangeData record,
                            build_exchange_data(id, self_, w.delegate, secrets, w.recipients, w.signers));
  if (variants_) variants_->record(id, w.allowed);
  return record;
}

// The server's answer is not trusted: the stored record must open and verify like ours.
Result<OpenedExchangeData> ExchangeDataManager::accept_created(Wanted& w, const model::ExchangeData& stored) {
  CARDINAL_ASSIGN_OR_RETURN(auto opened, open_and_cache(stored));
  if (!usable(w, *opened)) {
    return Error{ErrorCode::kTamperDetected, "the server altered newly created exchange data " + stored.id};
  }
  add_to_listing(opened->record);  // found again when the cache has let it go
  return opened;
}

Result<OpenedExchangeData> ExchangeDataManager::get_or_create_for_encryption(
    const std::string& delegate, const std::vector<crypto::RsaPublicKey>& delegate_keys,
    const std::set<std::string>& exclude) {
  CARDINAL_ASSIGN_OR_RETURN(Wanted w, wanted(EncryptionTarget{delegate, delegate_keys}, exclude));
  CreationGuard guard(*this, {delegate});
  CARDINAL_ASSIGN_OR_RETURN(auto found, find_usable(w));
  if (found) return found;
  CARDINAL_ASSIGN_OR_RETURN(model::ExchangeData record, build_new(w));
  CARDINAL_ASSIGN_OR_RETURN(model::ExchangeData stored, source_.create(record));
  return accept_created(w, stored);
}

Result<std::vector<OpenedExchangeData>> ExchangeDataManager::get_or_create_for_encryption(
    const std::vector<EncryptionTarget>& targets) {
  std::vector<Wanted> ws;
  std::set<std::string> delegates;
  for (const auto& t : targets) {
    CARDINAL_ASSIGN_OR_RETURN(auto w, wanted(t, {}));
    ws.push_back(std::move(w));
    delegates.insert(t.delegate);
  }
  CreationGuard guard(*this, std::move(delegates));
  std::vector<OpenedExchangeData> out(ws.size());
  std::vector<std::size_t> missing;   // indexes into ws / out
  std::vector<model::ExchangeData> records;
  std::map<std::string, std::size_t> first_of;  // delegate → first index (a delegate named twice)
  for (std::size_t i = 0; i < ws.size(); ++i) {
    if (first_of.count(ws[i].delegate) != 0) continue;
    first_of.emplace(ws[i].delegate, i);
    CARDINAL_ASSIGN_OR_RETURN(out[i], find_usable(ws[i]));
    if (out[i]) continue;
    CARDINAL_ASSIGN_OR_RETURN(auto record, build_new(ws[i]));
    missing.push_back(i);
    records.push_back(std::move(record));
  }
  if (records.size() == 1) {
    CARDINAL_ASSIGN_OR_RETURN(auto stored, source_.create(records.front()));
    CARDINAL_ASSIGN_OR_RETURN(out[missing.front()], accept_created(ws[missing.front()], stored));
  } else if (!records.empty()) {
    CARDINAL_ASSIGN_OR_RETURN(auto stored, source_.create_many(records));
    std::map<std::string, const model::ExchangeData*> by_id;
    for (const auto& s : stored) by_id.emplace(s.id, &s);
    // Every record the server created is opened and cached (used by a retry), then the first error.
    std::optional<Error> first_error;
    for (std::size_t k = 0; k < records.size(); ++k) {
      auto it = by_id.find(records[k].id);
      Result<OpenedExchangeData> opened =
          it != by_id.end() ? accept_created(ws[missing[k]], *it->second)
                            : Result<OpenedExchangeData>(Error{
                                  ErrorCode::kServerError, "the server did not create exchange data " + records[k].id +
                                                               " to " + records[k].delegate +
                                                               " (left out of its bulk answer): retry"});
      if (opened.ok()) {
        out[missing[k]] = std::move(opened).value();
      } else if (!first_error) {
        first_error = opened.error();
      }
    }
    if (first_error) return *first_error;
  }
  for (std::size_t i = 0; i < ws.size(); ++i) {
    if (!out[i]) out[i] = out[first_of.at(ws[i].delegate)];
  }
  return out;
}

}  // namespace cardinal::engine
