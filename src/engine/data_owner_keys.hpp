// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The public keys a data owner publishes, parsed and checked, and the subset the application
// verified (through CryptoStrategies) for new shares.

#include <cardinal/crypto_strategies.hpp>
#include <cardinal/model/crypto_model.hpp>

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

/// The delegate's keys the application verified: the hook's answer intersected with what the
/// delegate publishes (a hook cannot add keys). Errors: kNoVerifiedKey when the delegate has keys
/// but none is verified, or has none at all; kTamperDetected (fingerprint collision).
Result<std::vector<crypto::RsaPublicKey>> verified_delegate_keys(const model::DataOwner& delegate,
                                                                 CryptoStrategies& strategies);

}  // namespace cardinal::engine
