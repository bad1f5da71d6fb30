// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Out-of-band key verification: codes people compare, and a trust-on-first-use verifier that
/// never accepts a changed key silently.

#include <cardinal/crypto_strategies.hpp>
#include <cardinal/export.hpp>
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

/// Trust on first use with a persistent pin file, for `CryptoStrategies::verify_delegate_public_keys`.
///
/// - A key already pinned for the data owner is accepted.
/// - A key of a data owner without pins ("first use") is passed to the callback; without a
///   callback it is accepted and pinned (plain TOFU).
/// - A key of a data owner that has other pins ("changed or added key") is passed to the callback;
///   without a callback it is **rejected**. It is never accepted silently.
/// Accepted keys are pinned (if the pin file cannot be written, the pins last for this session
/// only; `pin()` reports that failure, `verify()` cannot). Pin file: JSON
/// `{"version":2,"pins":{"<owner>":["<spki hex>",…]},"sha256":"<hex>"}`, where `sha256` is the
/// SHA-256 of the compact `pins` object: a corrupted file (a flipped byte) is refused, never read as
/// fewer pins. Version 1 files (no checksum) are still read, and rewritten as version 2 on the next
/// save. Written atomically with mode 0600. Thread-safe.
class CARDINAL_EXPORT PinnedKeyVerifier {
 public:
  /// The callback's answer for one key.
  enum class Decision { kAccept, kReject };
  /// A key that is not pinned yet, as given to the callback.
  struct KeyEvent {
    std::string data_owner_id;  ///< the data owner publishing the key
    std::string spki_hex;       ///< the key (SPKI DER, hex)
    std::string code;                   ///< verification_code of the key, to compare out of band
    bool owner_has_other_pins = false;  ///< true: a changed/added key, the dangerous case
  };
  /// Decides about a key that is not pinned (called with the verifier's lock held: do not call back into it).
  using Callback = std::function<Decision(const KeyEvent&)>;

  /// Loads the pin file (a missing file is an empty pin set; it is created on the first pin).
  /// Errors: kMalformedInput (not a pin file, or corrupted: checksum mismatch, a pin that is not a
  /// public key; the message names the file and what to do), kIo.
  static Result<std::shared_ptr<PinnedKeyVerifier>> open(std::filesystem::path pin_file, Callback on_new_key = {});

  /// The subset of `keys` accepted for `data_owner_id`.
  std::vector<std::string> verify(const std::string& data_owner_id, const std::vector<std::string>& keys);
  /// Pins a key after an out-of-band check.
  Status pin(const std::string& data_owner_id, const std::string& spki_hex);
  /// The keys pinned for a data owner.
  std::vector<std::string> pinned(const std::string& data_owner_id) const;

 private:
  PinnedKeyVerifier(std::filesystem::path path, Callback cb) : path_(std::move(path)), callback_(std::move(cb)) {}
  Status save_locked();
  std::filesystem::path path_;
  Callback callback_;
  mutable std::mutex mutex_;
  std::map<std::string, std::set<std::string>> pins_;
};

/// Strategies that verify delegate keys with a `PinnedKeyVerifier` (otherwise the basic ones).
class CARDINAL_EXPORT PinningCryptoStrategies : public BasicCryptoStrategies {
 public:
  /// Uses `verifier` for every delegate key decision.
  explicit PinningCryptoStrategies(std::shared_ptr<PinnedKeyVerifier> verifier) : verifier_(std::move(verifier)) {}
  std::vector<std::string> verify_delegate_public_keys(const DataOwnerInfo& delegate,
                                                       const std::vector<std::string>& keys) override {
    return verifier_->verify(delegate.id, keys);
  }

 private:
  std::shared_ptr<PinnedKeyVerifier> verifier_;
};

}  // namespace cardinal::keys
