// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/exchange_data_crypto.hpp"

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/random.hpp>

#include "engine/access_control.hpp"

#include <algorithm>
#include <set>

namespace cardinal::engine {

namespace {

constexpr std::size_t kMaxSignatureKeySize = 1024;

std::vector<std::string> fingerprints_of(const model::ExchangeData& record) {
  std::set<std::string> fps;
  for (const auto* m : {&record.exchange_key, &record.access_control_secret, &record.shared_signature_key}) {
    for (const auto& [fp, v] : *m) fps.insert(fp);
  }
  return {fps.begin(), fps.end()};
}

// Tries every entry of an RSA map whose fingerprint names one of our keys; first success wins.
// Returns nullopt when no entry could be opened.
std::optional<SecretBytes> open_map(const std::map<std::string, std::string>& entries, const KeyRing& keys) {
  for (const auto& [fp, b64] : entries) {
    const OwnKey* own = keys.find(fp);
    if (own == nullptr) continue;
    auto ct = crypto::base64_decode(b64);
    if (!ct.ok()) continue;
    auto plain = own->key.decrypt(*ct);
    if (plain.ok()) return std::move(plain).value();
  }
  return std::nullopt;
}

Result<std::map<std::string, std::string>> encrypt_for_all(const SecretBytes& secret,
                                                           const std::vector<crypto::RsaPublicKey>& recipients) {
  std::map<std::string, std::string> out;
  for (const auto& pub : recipients) {
    CARDINAL_ASSIGN_OR_RETURN(Bytes ct, pub.encrypt(secret.reveal()));
    out.insert_or_assign(pub.fingerprint_v2(), crypto::base64_encode(ct));
  }
  return out;
}

Result<std::string> sign_as_delegator(const crypto::RsaPrivateKey& key, const crypto::HmacKey& shared_signature_key) {
  CARDINAL_ASSIGN_OR_RETURN(crypto::HmacKey hmac, delegator_signature_key(key));
  const Bytes message = crypto::sha256(shared_signature_key.secret().reveal());
  return crypto::base64_encode(hmac.sign(message));
}

std::string sign_shared(const model::ExchangeData& record, const ExchangeSecrets& secrets) {
  const std::string text = shared_signature_input(record.delegator, record.delegate, secrets.exchange_key,
                                                  secrets.access_control_secret, fingerprints_of(record));
  return crypto::base64_encode(secrets.shared_signature_key.sign(as_bytes(text)));
}

bool shared_signature_verifies(const model::ExchangeData& record, const ExchangeSecrets& secrets) {
  auto sig = crypto::base64_decode(record.shared_signature);
  if (!sig.ok()) return false;
  const std::string text = shared_signature_input(record.delegator, record.delegate, secrets.exchange_key,
                                                  secrets.access_control_secret, fingerprints_of(record));
  return secrets.shared_signature_key.verify(as_bytes(text), *sig).ok();
}

// Every delegator-signature entry made with one of our verified keys must verify, and there must
// be at least one.
bool delegator_signature_verifies(const model::ExchangeData& record, const ExchangeSecrets& secrets,
                                  const KeyRing& keys) {
  int checked = 0;
  for (const auto& [fp, b64] : record.delegator_signature) {
    const OwnKey* own = keys.find(fp);
    if (own == nullptr || !own->verified || own->data_owner_id != record.delegator) continue;
    auto expected = sign_as_delegator(own->key, secrets.shared_signature_key);
    if (!expected.ok()) return false;
    auto got = crypto::base64_decode(b64);
    auto want = crypto::base64_decode(*expected);
    if (!got.ok() || !want.ok() || !constant_time_equals(*got, *want)) return false;
    ++checked;
  }
  return checked > 0;
}

}  // namespace

Result<ExchangeSecrets> ExchangeSecrets::generate() {
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey key, crypto::AesKey::generate());
  CARDINAL_ASSIGN_OR_RETURN(SecretBytes acs, crypto::random_secret(kAccessControlSecretSize));
  CARDINAL_ASSIGN_OR_RETURN(crypto::HmacKey mac, crypto::HmacKey::generate(crypto::HmacHash::kSha512));
  return ExchangeSecrets{std::move(key), std::move(acs), std::move(mac)};
}

std::string shared_signature_input(const std::string& delegator, const std::string& delegate,
                                   const crypto::AesKey& exchange_key, const SecretBytes& access_control_secret,
                                   std::vector<std::string> fingerprints) {
  std::sort(fingerprints.begin(), fingerprints.end());
  fingerprints.erase(std::unique(fingerprints.begin(), fingerprints.end()), fingerprints.end());
  std::string s;
  s.reserve(256 + fingerprints.size() * 26);
  s += "[[\"delegator\",\"";
  s += delegator;
  s += "\"],[\"delegate\",\"";
  s += delegate;
  s += "\"],[\"exchangeKey\",\"";
  s += crypto::hex_encode(exchange_key.secret().reveal());
  s += "\"],[\"accessControlSecret\",\"AccessControlSecret(s=";
  s += crypto::hex_encode(access_control_secret.reveal());
  s += ")\"],[\"publicKeysFingerprints\",[";
  for (std::size_t i = 0; i < fingerprints.size(); ++i) {
    if (i > 0) s += ',';
    s += '"';
    s += fingerprints[i];
    s += '"';
  }
  s += "]]";
  return s;
}

Result<crypto::HmacKey> delegator_signature_key(const crypto::RsaPrivateKey& key) {
  CARDINAL_ASSIGN_OR_RETURN(SecretBytes pkcs8, key.pkcs8_der());
  Bytes digest = crypto::sha512(pkcs8.reveal());
  SecretBytes hmac_key(digest);
  detail::secure_wipe(digest.data(), digest.size());
  return crypto::HmacKey::create(crypto::HmacHash::kSha512, std::move(hmac_key));
}

Result<model::ExchangeData> build_exchange_data(std::string id, const std::string& delegator,
                                                const std::string& delegate, const ExchangeSecrets& secrets,
                                                const std::vector<crypto::RsaPublicKey>& recipients,
                                                const std::vector<const crypto::RsaPrivateKey*>& signers) {
  if (recipients.empty()) return Error{ErrorCode::kNoVerifiedKey, "exchange data needs at least one verified key"};
  if (signers.empty()) return Error{ErrorCode::kNoVerifiedKey, "exchange data needs a verified delegator key"};
  model::ExchangeData record;
  record.id = std::move(id);
  record.delegator = delegator;
  record.delegate = delegate;
  CARDINAL_ASSIGN_OR_RETURN(record.exchange_key, encrypt_for_all(secrets.exchange_key.secret(), recipients));
  CARDINAL_ASSIGN_OR_RETURN(record.access_control_secret, encrypt_for_all(secrets.access_control_secret, recipients));
  CARDINAL_ASSIGN_OR_RETURN(record.shared_signature_key,
                            encrypt_for_all(secrets.shared_signature_key.secret(), recipients));
  for (const auto* signer : signers) {
    CARDINAL_ASSIGN_OR_RETURN(std::string sig, sign_as_delegator(*signer, secrets.shared_signature_key));
    record.delegator_signature.insert_or_assign(signer->public_key().fingerprint_v2(), std::move(sig));
  }
  record.shared_signature = sign_shared(record, secrets);
  return record;
}

Result<DecryptedExchangeData> decrypt_exchange_data(const model::ExchangeData& record, const KeyRing& keys) {
  auto exchange_key = open_map(record.exchange_key, keys);
  auto acs = open_map(record.access_control_secret, keys);
  auto sig_key = open_map(record.shared_signature_key, keys);
  if (!exchange_key && !acs && !sig_key) {
    return Error{ErrorCode::kKeyNotAvailable, "exchange data " + record.id + " is not encrypted for any key we hold"};
  }
  if (!exchange_key || !acs || !sig_key) {
    return Error{ErrorCode::kTamperDetected, "exchange data " + record.id + ": only some of its secrets decrypt"};
  }
  if (exchange_key->size() != crypto::AesKey::kPlatformKeySize || acs->size() != kAccessControlSecretSize ||
      sig_key->empty() || sig_key->size() > kMaxSignatureKeySize) {
    return Error{ErrorCode::kTamperDetected, "exchange data " + record.id + ": secrets have invalid sizes"};
  }
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey aes, crypto::AesKey::create(std::move(*exchange_key)));
  CARDINAL_ASSIGN_OR_RETURN(crypto::HmacKey mac,
                            crypto::HmacKey::create(crypto::HmacHash::kSha512, std::move(*sig_key)));
  DecryptedExchangeData out{record, ExchangeSecrets{std::move(aes), std::move(*acs), std::move(mac)}, false, false};
  out.shared_signature_valid = shared_signature_verifies(record, out.secrets);
  out.delegator_signature_valid = out.shared_signature_valid && delegator_signature_verifies(record, out.secrets, keys);
  return out;
}

Result<model::ExchangeData> extend_exchange_data(const DecryptedExchangeData& opened,
                                                 const std::vector<crypto::RsaPublicKey>& new_recipients,
                                                 const std::vector<const crypto::RsaPrivateKey*>& delegator_signers) {
  model::ExchangeData record = opened.record;
  const auto known = fingerprints_of(record);
  std::vector<crypto::RsaPublicKey> missing;
  for (const auto& pub : new_recipients) {
    if (std::find(known.begin(), known.end(), pub.fingerprint_v2()) == known.end()) missing.push_back(pub);
  }
  bool changed = false;
  if (!missing.empty()) {
    CARDINAL_ASSIGN_OR_RETURN(auto ek, encrypt_for_all(opened.secrets.exchange_key.secret(), missing));
    CARDINAL_ASSIGN_OR_RETURN(auto acs, encrypt_for_all(opened.secrets.access_control_secret, missing));
    CARDINAL_ASSIGN_OR_RETURN(auto sk, encrypt_for_all(opened.secrets.shared_signature_key.secret(), missing));
    record.exchange_key.insert(ek.begin(), ek.end());
    record.access_control_secret.insert(acs.begin(), acs.end());
    record.shared_signature_key.insert(sk.begin(), sk.end());
    changed = true;
  }
  if (opened.shared_signature_valid) {
    const bool may_sign = record.delegator_signature.empty() || opened.delegator_signature_valid;
    if (may_sign) {
      for (const auto* signer : delegator_signers) {
        const std::string fp = signer->public_key().fingerprint_v2();
        if (record.delegator_signature.count(fp) != 0) continue;
        CARDINAL_ASSIGN_OR_RETURN(std::string sig, sign_as_delegator(*signer, opened.secrets.shared_signature_key));
        record.delegator_signature.emplace(fp, std::move(sig));
        changed = true;
      }
    }
    if (changed) record.shared_signature = sign_shared(record, opened.secrets);
  }
  return record;
}

}  // namespace cardinal::engine
