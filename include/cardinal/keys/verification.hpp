// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Out-of-band key verification: codes people compare, and a trust-on-first-use verifier that
/// never accepts a changed key silently.
///
/// Thread safety: the code functions are thread-safe (pure); `PinnedKeyVerifier` is thread-safe
/// (its callback runs under the verifier's lock); `PinningCryptoStrategies` is thread-safe.
///
/// Ownership: `PinnedKeyVerifier::open` returns a `std::shared_ptr`, which
/// `PinningCryptoStrategies` shares; the verifier owns its callback and its pins, and writes the
/// pin file it was opened with.

#include <cardinal/export.hpp>
#include <cardinal/keys/crypto_strategies.hpp>
#include <cardinal/result.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace cardinal::keys {

/// A human-comparable code of one data owner's public key: 60 digits in 12 groups of 5
/// ("12345 67890 …"), like a safety number.
///
/// Algorithm (version 1, fixed): D = SHA-512 iterated 5200 times, starting from
/// SHA-512(0x00 0x01 ‖ UTF-8(data owner id) ‖ 0x00 ‖ SPKI DER), each round hashing the previous
/// digest followed by the SPKI DER. Group i (0..11) = big-endian integer of D[5i .. 5i+5) mod 100000,
/// zero-padded. Errors: kMalformedInput (not a valid SPKI hex).
CARDINAL_EXPORT Result<std::string> verification_code(const std::string& data_owner_id, const std::string& spki_hex);

/// The code of a pair of data owners (both compare the same 60 digits): the first 30 digits of
/// each party's code, the smaller first.
CARDINAL_EXPORT Result<std::string> pair_verification_code(const std::string& owner_a, const std::string& spki_a,
                                                           const std::string& owner_b, const std::string& spki_b);

/// A compact form for QR codes: "cvc1:" ‖ hex of the first 32 bytes of D.
CARDINAL_EXPORT Result<std::string> verification_qr_payload(const std::string& data_owner_id,
                                                            const std::string& spki_hex);

/// Trust on first use with a persistent pin file, for `CryptoStrategies::verify_delegate_published_keys`.
///
/// A pin is a key **and the OAEP hash it was verified for** (the list that published it): a key
/// pair is made for one variant, and encrypting with another hash gives data its owner cannot open.
/// - A key already pinned for the data owner and that hash is accepted.
/// - A key of a data owner without pins ("first use") is passed to the callback; without a
///   callback it is accepted and pinned (plain TOFU).
/// - A key of a data owner that has other pins ("changed or added key"), and a pinned key seen
///   under another hash than the pinned one (`KeyEvent::variant_changed`, a key moved between the
///   OAEP lists), are passed to the callback; without a callback they are **rejected**. They are
///   never accepted silently.
/// Accepted keys are pinned (if the pin file cannot be written, the pins last for this session
/// only; `pin()` reports that failure, `verify()` cannot). Thread-safe.
///
/// Pin file: JSON written atomically with mode 0600,
/// `{"version":2,"pins":{"<owner>":[{"spki":"<spki hex>","oaep":["sha-256"]},…]},"sha256":"<hex>"}`
/// (`"sha-1"` for the legacy list), where `sha256` is the SHA-256 of the compact `pins` object: a
/// corrupted file (a flipped byte) is refused with kMalformedInput, never read as fewer pins.
/// Version 1 files (`{"version":1,"pins":{"<owner>":["<spki hex>",…]}}`, written by earlier
/// releases: no checksum, no hash) are read; such a pin is bound to the hash the key is published
/// under the first time it is verified again, and the file is rewritten as version 2. A bare
/// string in a version 2 list means the same (hash not recorded yet).
class CARDINAL_EXPORT PinnedKeyVerifier {
 public:
  /// The callback's answer for one key.
  enum class Decision { kAccept, kReject };
  /// A key that is not pinned yet (for this hash), as given to the callback.
  struct KeyEvent {
    std::string data_owner_id;  ///< the data owner publishing the key
    std::string spki_hex;       ///< the key (SPKI DER, hex)
    std::string code;                   ///< verification_code of the key, to compare out of band
    bool owner_has_other_pins = false;  ///< true: a changed/added key, the dangerous case
    /// The OAEP hash the key is published for (the list it is in).
    crypto::RsaOaepHash hash = crypto::RsaOaepHash::kSha256;
    /// True: this very key is pinned, but for another OAEP hash (it moved between the lists).
    /// Accepting it pins it for `hash` too; the key's owner can only open data encrypted with the
    /// hash its key pair was made for.
    bool variant_changed = false;
  };
  /// Decides about a key that is not pinned (called with the verifier's lock held: do not call back into it).
  using Callback = std::function<Decision(const KeyEvent&)>;

  /// Loads the pin file (a missing file is an empty pin set; it is created on the first pin).
  /// Errors: kMalformedInput (not a pin file, or corrupted: checksum mismatch, a pin that is not a
  /// public key; the message names the file and what to do), kIo.
  static Result<std::shared_ptr<PinnedKeyVerifier>> open(std::filesystem::path pin_file, Callback on_new_key = {});

  /// The subset of `keys` (SPKI with the hash of the list that publishes it) accepted for
  /// `data_owner_id`, each for its hash.
  std::vector<PublishedKey> verify_keys(const std::string& data_owner_id, const std::vector<PublishedKey>& keys);
  /// The subset of `keys` accepted for `data_owner_id`, ignoring hashes: a key pinned for any hash
  /// is accepted; a new key accepted here is pinned without a hash (bound at its next
  /// `verify_keys`). Prefer `verify_keys`.
  std::vector<std::string> verify(const std::string& data_owner_id, const std::vector<std::string>& keys);
  /// Pins a key for `hash` after an out-of-band check (default: the modern OAEP-SHA-256 list).
  Status pin(const std::string& data_owner_id, const std::string& spki_hex,
             crypto::RsaOaepHash hash = crypto::RsaOaepHash::kSha256);
  /// The keys pinned for a data owner (any hash).
  std::vector<std::string> pinned(const std::string& data_owner_id) const;
  /// The hashes a key is pinned for (empty: not pinned, or pinned by a version 1 file and not
  /// bound yet).
  std::vector<crypto::RsaOaepHash> pinned_hashes(const std::string& data_owner_id, const std::string& spki_hex) const;

 private:
  /// A pinned key: the hashes it is pinned for (empty = not recorded yet, from a version 1 file).
  using Pin = std::set<crypto::RsaOaepHash>;
  PinnedKeyVerifier(std::filesystem::path path, Callback cb) : path_(std::move(path)), callback_(std::move(cb)) {}
  Status save_locked();
  std::filesystem::path path_;
  Callback callback_;
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, Pin>> pins_;
};

/// Strategies that verify delegate keys with a `PinnedKeyVerifier` (otherwise the basic ones),
/// per OAEP hash.
class CARDINAL_EXPORT PinningCryptoStrategies : public BasicCryptoStrategies {
 public:
  /// Uses `verifier` for every delegate key decision; `policy`: when a new key pair may be
  /// created for the current user (see `NewKeyPolicy`).
  explicit PinningCryptoStrategies(std::shared_ptr<PinnedKeyVerifier> verifier,
                                   NewKeyPolicy policy = NewKeyPolicy::kFirstKeyOnly)
      : BasicCryptoStrategies(policy), verifier_(std::move(verifier)) {}
  std::vector<std::string> verify_delegate_public_keys(const DataOwnerInfo& delegate,
                                                       const std::vector<std::string>& keys) override {
    return verifier_->verify(delegate.id, keys);
  }
  std::vector<PublishedKey> verify_delegate_published_keys(const DataOwnerInfo& delegate,
                                                           const std::vector<PublishedKey>& keys) override {
    return verifier_->verify_keys(delegate.id, keys);
  }

 private:
  std::shared_ptr<PinnedKeyVerifier> verifier_;
};

}  // namespace cardinal::keys
