// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Key-verification hooks: how an application decides which public keys are authentic.
///
/// End-to-end encryption is only as good as the authenticity of public keys, and the server that
/// stores them is not trusted: a compromised database can add keys to any data owner. The SDK
/// asks these hooks before it trusts a key, and never shares new data to a key no hook accepted.
/// The semantics follow the platform's `CryptoStrategies`.
///
/// Thread safety: the SDK may call the hooks from several of its threads at once, and from inside
/// calls the application made; implementations must be thread-safe and must not call back into
/// the SDK instance that called them. `BasicCryptoStrategies` is thread-safe (it holds no state
/// but its policy).
///
/// Ownership: an SDK instance shares the strategies (`std::shared_ptr`, `SdkOptions::strategies`)
/// for as long as it lives. Arguments given to a hook are borrowed for the call only; what a hook
/// returns is copied by the SDK.

#include <cardinal/crypto/rsa.hpp>
#include <cardinal/export.hpp>
#include <cardinal/json.hpp>
#include <cardinal/result.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cardinal {

/// A data owner as the hooks see it.
struct DataOwnerInfo {
  std::string id;    ///< data owner id
  std::string type;  ///< "hcp", "patient" or "device"
  Json record;       ///< the data owner (or stub) as the server gave it: do not trust its keys
};

/// A public key as published on a data owner.
struct PublishedKey {
  std::string spki_hex;                                     ///< SPKI DER, lowercase hex
  crypto::RsaOaepHash hash = crypto::RsaOaepHash::kSha256;  ///< OAEP hash, from the list that publishes it
  /// The v1 fingerprint (last 32 hex characters of the SPKI hex).
  [[nodiscard]] std::string fingerprint_v1() const { return crypto::fingerprint_v1(spki_hex); }
};

/// What the application says about the keys of one member of its own hierarchy.
struct RecoveredKeys {
  /// Key pairs the application recovered (from a backup, a recovery key…), by SPKI hex. Their
  /// public half must be one of the data owner's published keys.
  std::vector<crypto::RsaPrivateKey> recovered;
  /// Authenticity decisions by SPKI hex: true = verified (may be used to encrypt), false = not.
  /// Recovered keys not mentioned here are stored as verified; keys already on this device that
  /// are not mentioned keep the status the key store has for them. Decisions are stored.
  std::map<std::string, bool> authenticity;
};

/// The keys of one member of the current user's hierarchy that need a decision.
struct SelfKeysStatus {
  DataOwnerInfo data_owner;  ///< the hierarchy member
  /// Keys we have a private key for, but whose authenticity we do not know.
  std::vector<PublishedKey> unknown_keys;
  /// Keys listed on the server for which no private key is available here.
  std::vector<PublishedKey> unavailable_keys;
};

/// What to do when the current data owner has no usable key.
struct KeyGenerationDecision {
  /// The decision.
  enum class Kind {
    kAllow,    ///< generate a new RSA-2048 OAEP-SHA-256 key pair and publish it
    kDeny,     ///< fail the SDK start with kKeyNotAvailable
    kKeyless,  ///< start without a key (reading only what others can give; no new data)
    kUseProvided,  ///< use `provided` (stored and published like a generated key)
  };
  Kind kind = Kind::kAllow;  ///< what to do
  std::optional<crypto::RsaPrivateKey> provided;  ///< for kUseProvided: an OAEP-SHA-256 key
};

/// The application's decisions about keys (see the file documentation and docs/key-verification.md).
class CARDINAL_EXPORT CryptoStrategies {
 public:
  virtual ~CryptoStrategies() = default;

  /// Own (hierarchy) keys that are missing locally or of unknown authenticity, top ancestor
  /// first. Returns the decisions by data owner id. Keys the server lists that the application
  /// does not vouch for are never treated as our own verified keys.
  virtual Result<std::map<std::string, RecoveredKeys>> recover_and_verify_self_hierarchy_keys(
      const std::vector<SelfKeysStatus>& keys) = 0;

  /// The current data owner has no verified key of its own.
  virtual KeyGenerationDecision generate_new_key_for_data_owner(const DataOwnerInfo& self) = 0;

  /// The subset of `keys` (SPKI hex, as published on `delegate`) that the application verified
  /// out of band. New exchange data is encrypted only for these. Not called for the current user.
  /// Called by the default `verify_delegate_published_keys` only.
  virtual std::vector<std::string> verify_delegate_public_keys(const DataOwnerInfo& delegate,
                                                               const std::vector<std::string>& keys) = 0;

  /// The per-variant form of `verify_delegate_public_keys`: the subset of `keys` (each an SPKI
  /// with the OAEP hash of the list that publishes it on `delegate`) that the application
  /// verified **for that hash**. The SDK encrypts for a delegate key only with the hash of an
  /// accepted entry (an entry whose SPKI or hash is not among `keys` is ignored). Keys the SDK
  /// remembers as verified under another hash (a key moved between the OAEP lists) are reported
  /// as tampering and not offered here. Not called for the current user.
  ///
  /// Default: the entries whose SPKI `verify_delegate_public_keys` accepts, with the hash they
  /// are published under. Override it to bind a verification to the variant
  /// (`keys::PinningCryptoStrategies` does).
  virtual std::vector<PublishedKey> verify_delegate_published_keys(const DataOwnerInfo& delegate,
                                                                   const std::vector<PublishedKey>& keys);

  /// Whether delegations to/from this data owner hide its id (default: everyone but HCPs).
  virtual bool data_owner_requires_anonymous_delegation(const DataOwnerInfo& data_owner) {
    return data_owner.type != "hcp";
  }

  /// Informational: a new key pair was created for the current user (back it up now).
  virtual void notify_new_key_created(const crypto::RsaPublicKey& /*key*/) {}
};

/// When the basic strategies let the SDK create a new key pair for the current user.
enum class NewKeyPolicy {
  /// Default: only for a data owner that publishes no key yet (its first sign-in). A data owner
  /// that already publishes keys, none of whose private keys is on this device (a new device
  /// without the key store or recovery key), gets `kKeyNotAvailable` instead: data encrypted for
  /// the existing keys would stay unreadable with a new key, and delegates would share to a key
  /// nobody verified.
  kFirstKeyOnly,
  /// Explicit opt-in: also create (and publish) a new key pair for a data owner that already
  /// publishes keys this device cannot use.
  kAlways,
};

/// The platform's basic strategies: no recovery, nothing extra verified, a first key pair created
/// for a data owner without keys (see `NewKeyPolicy`) — and, like the official SDK's default,
/// **every delegate key is trusted**. That default is what a compromised database exploits (it can
/// add keys to a delegate); it exists for compatibility and tests. Production code should verify
/// keys (see `PinnedKeyVerifier` and docs/key-verification.md).
class CARDINAL_EXPORT BasicCryptoStrategies : public CryptoStrategies {
 public:
  /// `policy`: when a new key pair may be created for the current user.
  explicit BasicCryptoStrategies(NewKeyPolicy policy = NewKeyPolicy::kFirstKeyOnly) : policy_(policy) {}
  Result<std::map<std::string, RecoveredKeys>> recover_and_verify_self_hierarchy_keys(
      const std::vector<SelfKeysStatus>& keys) override;
  KeyGenerationDecision generate_new_key_for_data_owner(const DataOwnerInfo& self) override;
  std::vector<std::string> verify_delegate_public_keys(const DataOwnerInfo& delegate,
                                                       const std::vector<std::string>& keys) override;
  /// The policy given at construction.
  [[nodiscard]] NewKeyPolicy new_key_policy() const noexcept { return policy_; }

 private:
  NewKeyPolicy policy_;
};

}  // namespace cardinal
