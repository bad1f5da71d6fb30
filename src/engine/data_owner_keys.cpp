// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/data_owner_keys.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

namespace cardinal::engine {

namespace {

// A published key parsed once: its canonical SPKI hex and both fingerprints. OpenSSL 3's decoder
// and encoder (d2i_PUBKEY, then i2d_PUBKEY for the canonical-form check) cost about 3 million
// instructions per key, and every share or create with delegates reads each delegate's keys
// (twice: the stub check, then the verification), so parsing was 9/10 of a warm create's CPU.
// The parse is a pure function of the published text and the OAEP list it sits in: the result
// (or "does not parse") is kept, bounded, for the process. Verification (the strategies) is not
// cached here: it runs on every call.
struct Parsed {
  crypto::RsaPublicKey key;
  std::string canonical, fp1, fp2;
};

std::shared_ptr<const Parsed> parse_once(const std::string& spki, crypto::RsaOaepHash hash) {
  constexpr std::size_t kMaxKeys = 4096;
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const Parsed>> cache;  // keys that parse
  std::string id;
  id.reserve(spki.size() + 1);
  id += hash == crypto::RsaOaepHash::kSha1 ? '1' : '2';
  id += spki;
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(id); it != cache.end()) return it->second;
  }
  std::shared_ptr<const Parsed> parsed;
  if (auto key = crypto::RsaPublicKey::from_spki_hex(spki, hash); key.ok()) {
    std::string canonical = key->spki_hex();
    std::string fp1 = key->fingerprint_v1(), fp2 = key->fingerprint_v2();
    parsed = std::make_shared<const Parsed>(
        Parsed{std::move(key).value(), std::move(canonical), std::move(fp1), std::move(fp2)});
  }
  // Only keys that parse are kept (a valid SPKI text is at most a few KiB): junk a server
  // publishes costs a parse per read, never memory for the life of the process.
  if (!parsed) return parsed;
  std::lock_guard lock(mutex);
  if (cache.size() >= kMaxKeys) cache.clear();
  cache.emplace(std::move(id), parsed);
  return parsed;
}

}  // namespace

Result<std::vector<ParsedKey>> published_keys(const model::DataOwner& owner) {
  std::vector<ParsedKey> out;
  std::map<std::string, std::string> by_fp1, by_fp2;
  auto consider = [&](const std::string& spki, crypto::RsaOaepHash hash) -> Status {
    const auto parsed = parse_once(spki, hash);
    if (!parsed) return {};  // not a usable key: ignored, never an encryption target
    const std::string& canonical = parsed->canonical;
    for (auto* index : {&by_fp1, &by_fp2}) {
      const std::string& fp = index == &by_fp1 ? parsed->fp1 : parsed->fp2;
      auto [it, inserted] = index->emplace(fp, canonical);
      if (!inserted && it->second != canonical) {
        return Error{ErrorCode::kTamperDetected,
                     "data owner " + owner.id + " publishes two different keys with fingerprint " + fp};
      }
    }
    for (const auto& p : out) {
      if (p.published.spki_hex == canonical) return {};
    }
    out.push_back(ParsedKey{PublishedKey{canonical, hash}, parsed->key});
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
