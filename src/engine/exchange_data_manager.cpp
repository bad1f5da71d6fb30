// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/exchange_data_manager.hpp"

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/random.hpp>

#include "engine/access_control.hpp"

#include <algorithm>

namespace cardinal::engine {

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

void ExchangeDataManager::put(const OpenedExchangeData& opened) {
  std::lock_guard lock(mutex_);
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
  put(shared);
  return shared;
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

Status ExchangeDataManager::load_all() {
  CARDINAL_ASSIGN_OR_RETURN(auto records, source_.get_by_participant(self_));
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

Result<OpenedExchangeData> ExchangeDataManager::get_or_create_for_encryption(
    const std::string& delegate, const std::vector<crypto::RsaPublicKey>& delegate_keys,
    const std::set<std::string>& exclude) {
  const auto own_verified = keys_->verified_keys_of(self_);
  if (own_verified.empty()) return Error{ErrorCode::kNoVerifiedKey, "the current user has no verified key"};
  if (delegate != self_ && delegate_keys.empty()) {
    return Error{ErrorCode::kNoVerifiedKey, "no public key of data owner " + delegate + " is verified"};
  }
  // One creation per delegate at a time: later callers wait and then find the new record.
  std::unique_lock creation(create_mutex_);
  create_cv_.wait(creation, [&] { return creating_.count(delegate) == 0; });
  creating_.insert(delegate);
  creation.unlock();
  struct Done {
    ExchangeDataManager* self;
    const std::string& delegate;
    ~Done() {
      std::lock_guard lock(self->create_mutex_);
      self->creating_.erase(delegate);
      self->create_cv_.notify_all();
    }
  } done{this, delegate};

  // Wanted recipients: our verified keys and the delegate's verified keys.
  std::vector<crypto::RsaPublicKey> recipients;
  std::vector<const crypto::RsaPrivateKey*> signers;
  for (const auto* k : own_verified) {
    recipients.push_back(k->key.public_key());
    signers.push_back(&k->key);
  }
  if (delegate != self_) recipients.insert(recipients.end(), delegate_keys.begin(), delegate_keys.end());

  // The keys new data may reach, with the OAEP hash each is verified for.
  std::map<std::string, crypto::RsaOaepHash> allowed;
  for (const auto& k : recipients) allowed.emplace(k.fingerprint_v2(), k.hash());
  std::set<std::string> reported_variants;
  auto usable = [&](const DecryptedExchangeData& d) {
    if (d.record.delegate != delegate || exclude.count(d.record.id) != 0 || !d.verified_for_encryption(self_)) return false;
    bool covers_delegate = delegate == self_;
    for (const auto* m : {&d.record.exchange_key, &d.record.access_control_secret, &d.record.shared_signature_key}) {
      for (const auto& [fp, ct] : *m) {
        auto a = allowed.find(fp);
        if (a == allowed.end()) return false;  // reaches a key not verified now: not for new data
        if (variants_) {
          const auto made_with = variants_->variant(d.record.id, fp);
          if (made_with && *made_with != a->second) {
            if (reported_variants.insert(d.record.id).second) {
              report(d.record.id, Error{ErrorCode::kVerificationFailed,
                                        "exchange data " + d.record.id + " was encrypted for key " + fp + " with " +
                                            std::string(crypto::to_string(*made_with)) +
                                            " but that key is verified for " +
                                            std::string(crypto::to_string(a->second)) +
                                            ": its owner cannot open it; not reused for new shares"});
            }
            return false;
          }
        }
        if (delegate != self_ && m == &d.record.exchange_key) {
          for (const auto& k : delegate_keys) covers_delegate = covers_delegate || k.fingerprint_v2() == fp;
        }
      }
    }
    return covers_delegate;
  };

  for (const auto& c : cached()) {
    if (usable(*c)) return c;
  }
  CARDINAL_ASSIGN_OR_RETURN(auto existing, source_.get_by_delegator_delegate(self_, delegate));
  for (const auto& r : existing) {
    auto opened = lookup(r.id);
    if (!opened || opened->record.rev != r.rev) {
      auto fresh = open_and_cache(r);
      if (!fresh.ok()) continue;
      opened = *fresh;
    }
    if (usable(*opened)) return opened;
  }
  CARDINAL_ASSIGN_OR_RETURN(ExchangeSecrets secrets, ExchangeSecrets::generate());
  CARDINAL_ASSIGN_OR_RETURN(std::string id, crypto::random_uuid());
  CARDINAL_ASSIGN_OR_RETURN(model::ExchangeData record,
                            build_exchange_data(id, self_, delegate, secrets, recipients, signers));
  if (variants_) variants_->record(id, allowed);
  CARDINAL_ASSIGN_OR_RETURN(model::ExchangeData stored, source_.create(record));
  // The server's answer is not trusted: the stored record must open and verify like ours.
  CARDINAL_ASSIGN_OR_RETURN(auto opened, open_and_cache(stored));
  if (!usable(*opened)) {
    return Error{ErrorCode::kTamperDetected, "the server altered newly created exchange data " + id};
  }
  return opened;
}

Result<std::vector<OpenedExchangeData>> ExchangeDataManager::all_to(const std::string& delegate) {
  CARDINAL_ASSIGN_OR_RETURN(auto records, source_.get_by_delegator_delegate(self_, delegate));
  std::vector<OpenedExchangeData> out;
  for (const auto& r : records) {
    if (r.delegator != self_ || r.delegate != delegate) continue;
    auto opened = lookup(r.id);
    if (!opened || opened->record.rev != r.rev) {
      auto fresh = open_and_cache(r);
      if (!fresh.ok()) continue;
      opened = *fresh;
    }
    out.push_back(std::move(opened));
  }
  return out;
}

}  // namespace cardinal::engine
