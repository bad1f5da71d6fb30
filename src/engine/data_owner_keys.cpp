// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/data_owner_keys.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace cardinal::engine {

Result<std::vector<ParsedKey>> published_keys(const model::DataOwner& owner) {
  std::vector<ParsedKey> out;
  std::map<std::string, std::string> by_fp1, by_fp2;
  auto consider = [&](const std::string& spki, crypto::RsaOaepHash hash) -> Status {
    auto key = crypto::RsaPublicKey::from_spki_hex(spki, hash);
    if (!key.ok()) return {};  // not a usable key: ignored, never an encryption target
    const std::string canonical = key->spki_hex();
    for (auto* index : {&by_fp1, &by_fp2}) {
      const std::string fp = index == &by_fp1 ? key->fingerprint_v1() : key->fingerprint_v2();
      auto [it, inserted] = index->emplace(fp, canonical);
      if (!inserted && it->second != canonical) {
        return Error{ErrorCode::kTamperDetected,
                     "data owner " + owner.id + " publishes two different keys with fingerprint " + fp};
      }
    }
    for (const auto& p : out) {
      if (p.published.spki_hex == canonical) return {};
    }
    out.push_back(ParsedKey{PublishedKey{canonical, hash}, std::move(key).value()});
    return {};
  };
  for (const auto& k : owner.public_keys_oaep_sha256)
    CARDINAL_RETURN_IF_ERROR(consider(k, crypto::RsaOaepHash::kSha256));
  for (const auto& k : owner.oaep_sha1_keys()) CARDINAL_RETURN_IF_ERROR(consider(k, crypto::RsaOaepHash::kSha1));
  return out;
}

DataOwnerInfo info_of(const model::DataOwner& owner) {
  return DataOwnerInfo{owner.id, std::string(model::to_string(owner.type)), owner.json};
}

Result<std::vector<crypto::RsaPublicKey>> verified_delegate_keys(const model::DataOwner& delegate,
                                                                 CryptoStrategies& strategies,
                                                                 KeyBindings* bindings) {
  CARDINAL_ASSIGN_OR_RETURN(auto keys, published_keys(delegate));
  if (keys.empty()) return Error{ErrorCode::kNoVerifiedKey, "data owner " + delegate.id + " has no public key"};
  std::vector<PublishedKey> candidates;
  std::string moved;  // keys remembered under another OAEP hash, for the error message
  for (const auto& k : keys) {
    const auto bound = bindings != nullptr ? bindings->bound_hash(delegate.id, k.published.spki_hex) : std::nullopt;
    if (bound && *bound != k.published.hash) {
      if (!moved.empty()) moved += ", ";
      moved += k.published.fingerprint_v1() + " (verified for " + std::string(crypto::to_string(*bound)) +
               ", now published for " + std::string(crypto::to_string(k.published.hash)) + ")";
      continue;
    }
    candidates.push_back(k.published);
  }
  std::vector<PublishedKey> accepted;
  if (!candidates.empty()) accepted = strategies.verify_delegate_published_keys(info_of(delegate), candidates);
  std::vector<crypto::RsaPublicKey> out;
  for (const auto& k : keys) {
    const bool offered = std::any_of(candidates.begin(), candidates.end(), [&](const PublishedKey& c) {
      return c.spki_hex == k.published.spki_hex && c.hash == k.published.hash;
    });
    const bool ok = offered && std::any_of(accepted.begin(), accepted.end(), [&](const PublishedKey& a) {
                      return a.spki_hex == k.published.spki_hex && a.hash == k.published.hash;
                    });
    if (!ok) continue;
    if (bindings != nullptr) bindings->bind(delegate.id, k.published.spki_hex, k.published.hash);
    out.push_back(k.key);
  }
  if (out.empty()) {
    if (!moved.empty()) {
      return Error{ErrorCode::kTamperDetected,
                   "data owner " + delegate.id + ": the key(s) verified before now sit in another OAEP list (" + moved +
                       "); the SDK does not encrypt for a key with a hash it was not verified for, so nothing is "
                       "shared. The delegate must republish the key in its original list (or the key must be "
                       "verified again from a fresh state)"};
    }
    return Error{ErrorCode::kNoVerifiedKey, "no public key of data owner " + delegate.id + " could be verified"};
  }
  return out;
}

}  // namespace cardinal::engine
