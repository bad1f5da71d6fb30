// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/exchange_data_manager.hpp"

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/random.hpp>

#include "common/revision.hpp"
#include "engine/access_control.hpp"

#include <algorithm>

namespace cardinal::engine {

Result<std::vector<model::ExchangeData>> ExchangeDataSource::create_many(const std::vector<model::ExchangeData>& records) {
  std::vector<model::ExchangeData> out;
  for (const auto& r : records) {
    CARDINAL_ASSIGN_OR_RETURN(auto stored, create(r));
    out.push_back(std::move(stored));
  }
  return out;
}

Result<std::optional<std::vector<model::ExchangeData>>> ExchangeDataSource::get_by_participant_bounded(
    const std::string& data_owner_id, std::size_t max_records) {
  CARDINAL_ASSIGN_OR_RETURN(auto all, get_by_participant(data_owner_id));
  if (all.size() > max_records) return std::optional<std::vector<model::ExchangeData>>{};
  return std::optional<std::vector<model::ExchangeData>>(std::move(all));
}

ExchangeDataManager::ExchangeDataManager(std::string self_id, std::shared_ptr<const KeyRing> keys,
                                         ExchangeDataSource& source, std::size_t cache_capacity,
                                         TamperListener on_tamper)
    : self_(std::move(self_id)),
      keys_(std::move(keys)),
      source_(source),
      capacity_(cache_capacity == 0 ? 1 : cache_capacity),
      on_tamper_(std::move(on_tamper)) {}

void ExchangeDataManager::report(const std::string& id, const Error& error) const {
  if (on_tamper_) on_tamper_(TamperReport{"ExchangeData", id, error});
}

OpenedExchangeData ExchangeDataManager::lookup(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return *it->second;
}

void ExchangeDataManager::put_locked(const OpenedExchangeData& opened) {
  auto it = by_id_.find(opened->record.id);
  if (it != by_id_.end()) {
    *it->second = opened;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front(opened);
  by_id_[opened->record.id] = lru_.begin();
  while (lru_.size() > capacity_) {
    by_id_.erase(lru_.back()->record.id);
    lru_.pop_back();
  }
}

const std::string* ExchangeDataManager::newer_seen_locked(const model::ExchangeData& record) const {
  auto it = seen_revisions_.find(record.id);
  if (it == seen_revisions_.end()) return nullptr;
  if (!internal::older_revision(record.rev.value_or(std::string()), it->second.generation)) return nullptr;
  return &it->second.rev;
}

std::optional<std::string> ExchangeDataManager::newer_seen(const model::ExchangeData& record) const {
  std::lock_guard lock(mutex_);
  const std::string* seen = newer_seen_locked(record);
  return seen != nullptr ? std::optional<std::string>(*seen) : std::nullopt;
}

void ExchangeDataManager::remember_revision_locked(const model::ExchangeData& record) {
  const auto n = internal::revision_generation(record.rev.value_or(std::string()));
  if (!n) return;  // no number: nothing to compare a later revision with
  if (auto it = seen_revisions_.find(record.id); it != seen_revisions_.end()) {
    if (*n > it->second.generation) {
      it->second.generation = *n;
      it->second.rev = *record.rev;
    }
    seen_order_.splice(seen_order_.begin(), seen_order_, it->second.order);
    return;
  }
  seen_order_.push_front(record.id);
  seen_revisions_.emplace(record.id, SeenRevision{*n, *record.rev, seen_order_.begin()});
  while (seen_order_.size() > kRevisionMemory) {
    seen_revisions_.erase(seen_order_.back());
    seen_order_.pop_back();
  }
}

Error ExchangeDataManager::rolled_back(const model::ExchangeData& record, const std::string& seen) const {
  return Error{ErrorCode::kTamperDetected,
               "exchange data " + record.id + ": the server returned an older revision (" +
                   (record.rev ? "'" + *record.rev + "'" : std::string("none")) + ") than revision '" + seen +
                   "', seen earlier in this session (rollback): it may still decrypt existing data but is never used "
                   "for new shares. Retry later; if it persists, the backend is compromised"};
}

Result<OpenedExchangeData> ExchangeDataManager::open_and_cache(const model::ExchangeData& record) {
  {
    std::lock_guard lock(mutex_);
    ++openings_;
  }
  auto opened = decrypt_exchange_data(record, *keys_);
  if (!opened.ok()) {
    if (opened.error().code() == ErrorCode::kTamperDetected) report(record.id, opened.error());
    return opened.error();
  }
  if (!opened->shared_signature_valid) {
    // Still usable to decrypt existing data; never used for new shares.
    report(record.id, Error{ErrorCode::kVerificationFailed,
                            "shared signature of exchange data " + record.id + " does not verify"});
  } else if (record.delegator == self_ && !opened->delegator_signature_valid) {
    report(record.id, Error{ErrorCode::kVerificationFailed,
                            "exchange data " + record.id +
                                " names us as delegator but its delegator signature does not verify with our keys"
                                " (another device or SDK generation, or forged): not used for new shares"});
  }
  auto shared = std::make_shared<const DecryptedExchangeData>(std::move(opened).value());
  std::optional<Error> stale;
  {
    // Checked and cached at once: a concurrent opening of a newer revision is never overwritten.
    std::lock_guard lock(mutex_);
    if (const std::string* seen = newer_seen_locked(record)) {
      stale = rolled_back(record, *seen);
    } else {
      if (shared->verified_for_encryption(self_)) remember_revision_locked(record);
      put_locked(shared);
    }
  }
  // Revisions only add recipients (the secrets stay): returned to decrypt existing data, not cached.
  if (stale) report(record.id, *stale);
  return shared;
}

Result<OpenedExchangeData> ExchangeDataManager::cached_or_open(const model::ExchangeData& record) {
  if (auto cached = lookup(record.id)) {
    if (cached->record.rev == record.rev || newer_seen(record)) return cached;
  }
  return open_and_cache(record);
}

Result<OpenedExchangeData> ExchangeDataManager::get(const std::string& id) {
  if (auto hit = lookup(id)) return hit;
  CARDINAL_ASSIGN_OR_RETURN(auto records, source_.get_by_ids({id}));
  for (const auto& r : records) {
    if (r.id == id) return open_and_cache(r);
  }
  return Error{ErrorCode::kNotFound, "exchange data " + id + " not found"};
}

Result<OpenedExchangeData> ExchangeDataManager::get_via_map(const std::string& delegation_key) {
  {
    std::unique_lock lock(mutex_);
    if (auto it = map_ids_.find(delegation_key); it != map_ids_.end()) {
      const std::string id = it->second;
      lock.unlock();
      return get(id);
    }
  }
  CARDINAL_ASSIGN_OR_RETURN(auto maps, source_.get_maps({delegation_key}));
  for (const auto& m : maps) {
    if (m.id != delegation_key) continue;
    for (const auto& [fp, b64] : m.encrypted_exchange_data_ids) {
      const OwnKey* own = keys_->find(fp);
      if (own == nullptr) continue;
      auto ct = crypto::base64_decode(b64);
      if (!ct.ok()) continue;
      auto id = own->key.decrypt(*ct);
      if (!id.ok()) continue;
      std::string exchange_data_id(id->reveal_as_text());
      {
        std::lock_guard lock(mutex_);
        if (map_ids_.size() >= std::max<std::size_t>(capacity_, 1) * 4) map_ids_.clear();  // bounded
        map_ids_[delegation_key] = exchange_data_id;
      }
      return get(exchange_data_id);
    }
    return Error{ErrorCode::kKeyNotAvailable, "no key of ours opens the exchange data map " + delegation_key};
  }
  return Error{ErrorCode::kNotFound, "no exchange data map for delegation " + delegation_key};
}

void ExchangeDataManager::remember_map_entry(const std::string& delegation_key, const std::string& exchange_data_id) {
  std::lock_guard lock(mutex_);
  if (map_ids_.size() >= std::max<std::size_t>(capacity_, 1) * 4) map_ids_.clear();  // bounded
  map_ids_[delegation_key] = exchange_data_id;
}

Status ExchangeDataManager::load_all() {
  CARDINAL_ASSIGN_OR_RETURN(auto records, source_.get_by_participant(self_));
  set_listing(records.size() <= kListingMaxRecords ? &records : nullptr, /*renew=*/true);
  for (const auto& r : records) {
    if (lookup(r.id)) continue;
    (void)open_and_cache(r);  // failures are reported inside, not fatal here
  }
  return {};
}

OpenedExchangeData ExchangeDataManager::find_by_delegation_key(const std::string& delegation_key,
                                                               std::string_view entity_type) {
  for (const auto& opened : cached()) {
    auto ack = access_control_key(opened->secrets.access_control_secret, entity_type);
    if (ack.ok() && secure_delegation_key(ack->reveal()) == delegation_key) return opened;
  }
  return nullptr;
}

std::vector<OpenedExchangeData> ExchangeDataManager::cached() const {
  std::lock_guard lock(mutex_);
  return {lru_.begin(), lru_.end()};
}

std::size_t ExchangeDataManager::openings() const {
  std::lock_guard lock(mutex_);
  return openings_;
}

Result<std::vector<OpenedExchangeData>> ExchangeDataManager::all_to(const std::string& delegate) {
  CARDINAL_ASSIGN_OR_RETURN(auto records, source_.get_by_delegator_delegate(self_, delegate));
  std::vector<OpenedExchangeData> out;
  for (const auto& r : records) {
    if (r.delegator != self_ || r.delegate != delegate) continue;
    auto opened = cached_or_open(r);
    if (!opened.ok() || newer_seen((*opened)->record)) continue;  // a rollback (reported): not for new data
    out.push_back(std::move(opened).value());
  }
  return out;
}

}  // namespace cardinal::engine
