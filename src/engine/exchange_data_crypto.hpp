// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Creating, decrypting and verifying exchange data (wire-format.md, "Exchange data").

#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/hash.hpp>
#include <cardinal/crypto/rsa.hpp>
#include <cardinal/model/crypto_model.hpp>

#include "engine/key_ring.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cardinal::engine {

/// The three secrets of an exchange data record.
struct ExchangeSecrets {
  crypto::AesKey exchange_key;
  SecretBytes access_control_secret;  ///< 16 bytes
  crypto::HmacKey shared_signature_key;

  static Result<ExchangeSecrets> generate();
};

/// Exchange data opened with one of our keys, with the outcome of its checks.
struct DecryptedExchangeData {
  model::ExchangeData record;
  ExchangeSecrets secrets;
  /// The shared signature verifies: the record is as its creator made it (any participant could
  /// have made it).
  bool shared_signature_valid = false;
  /// The delegator signature verifies with one of our verified keys: we created it.
  bool delegator_signature_valid = false;

  /// Safe to use for new shares from `self`: created by us (delegator signature), untampered.
  [[nodiscard]] bool verified_for_encryption(const std::string& self) const {
    return record.delegator == self && shared_signature_valid && delegator_signature_valid;
  }
};

/// The exact text signed by `sharedSignature` (quirks included: the `AccessControlSecret(s=…)`
/// wrapper and the missing final `]`). `fingerprints` are sorted and de-duplicated here.
std::string shared_signature_input(const std::string& delegator, const std::string& delegate,
                                   const crypto::AesKey& exchange_key, const SecretBytes& access_control_secret,
                                   std::vector<std::string> fingerprints);

/// The HMAC key of a delegator signature: SHA-512(PKCS#8 DER of the delegator's private key).
Result<crypto::HmacKey> delegator_signature_key(const crypto::RsaPrivateKey& key);

/// Builds a new record: the secrets encrypted for every recipient key (both parties' verified
/// keys), signed with the delegator's verified private keys. Errors: kNoVerifiedKey when there is
/// no recipient or no signer.
Result<model::ExchangeData> build_exchange_data(std::string id, const std::string& delegator,
                                                const std::string& delegate, const ExchangeSecrets& secrets,
                                                const std::vector<crypto::RsaPublicKey>& recipients,
                                                const std::vector<const crypto::RsaPrivateKey*>& signers);

/// Opens a record with any of our keys (verified or not) and runs both checks. Errors:
/// kKeyNotAvailable (no key of ours is a recipient), kTamperDetected (some secrets open and others
/// do not, or wrong sizes), kDecryptionFailed.
Result<DecryptedExchangeData> decrypt_exchange_data(const model::ExchangeData& record, const KeyRing& keys);

/// Adds recipients to a record we can open (key rotation, give access back). Re-signs the shared
/// signature only if the original verified; adds delegator signatures only when we are the
/// delegator and the existing ones verify (or there are none).
Result<model::ExchangeData> extend_exchange_data(const DecryptedExchangeData& opened,
                                                 const std::vector<crypto::RsaPublicKey>& new_recipients,
                                                 const std::vector<const crypto::RsaPrivateKey*>& delegator_signers);

}  // namespace cardinal::engine
