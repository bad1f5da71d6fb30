// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The public keys a data owner publishes, parsed and checked, and the subset the application
// verified (through CryptoStrategies) for new shares.

#include <cardinal/keys/crypto_strategies.hpp>
#include <cardinal/model/crypto_model.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cardinal::engine {

struct ParsedKey {
  PublishedKey published;
  crypto::RsaPublicKey key;
};

/// Every well-formed published key of `owner` with its OAEP kind. Keys that do not parse are
/// skipped. Two different keys with the same fingerprint (v1 or v2) are a forgery (cheap to make:
/// only the modulus' low bits must match) and refuse the whole data owner: kTamperDetected.
Result<std::vector<ParsedKey>> published_keys(const model::DataOwner& owner);

/// `DataOwnerInfo` of a data owner for the hooks.
DataOwnerInfo info_of(const model::DataOwner& owner);

/// What the SDK remembers of the keys it verified: the OAEP hash each was verified under (a key
/// pair is made for one variant; a key never legitimately moves between the OAEP lists).
/// Implementations are thread-safe.
class KeyBindings {
 public:
  virtual ~KeyBindings() = default;
  /// The OAEP hash `spki_hex` of `owner` was verified under, if remembered.
  virtual std::optional<crypto::RsaOaepHash> bound_hash(const std::string& owner, const std::string& spki_hex) = 0;
  /// Remembers a verified key (keeps an existing binding).
  virtual void bind(const std::string& owner, const std::string& spki_hex, crypto::RsaOaepHash hash) = 0;
};

/// The delegate's keys the application verified, each with the OAEP hash it was verified for:
/// the hook's (`verify_delegate_published_keys`) answer intersected with what the delegate
/// publishes (a hook cannot add keys or change a hash). With `bindings`, a key remembered under
/// another hash than the one it is published under now is not offered to the hook and never
/// returned, and accepted keys are remembered. Errors: kNoVerifiedKey when the delegate has keys
/// but none is verified, or has none at all; kTamperDetected (fingerprint collision, or every
/// candidate key moved to another OAEP list).
Result<std::vector<crypto::RsaPublicKey>> verified_delegate_keys(const model::DataOwner& delegate,
                                                                 CryptoStrategies& strategies,
                                                                 KeyBindings* bindings = nullptr);

}  // namespace cardinal::engine
