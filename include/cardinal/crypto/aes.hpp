// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// AES on OpenSSL 3 EVP.
///
/// - **AES-CBC with PKCS#7** in the platform's wire format: `IV (16 bytes) ‖ ciphertext`. It has no
///   integrity protection of its own; the platform authenticates around it.
/// - **AES-GCM** for formats this SDK owns: 12-byte nonces and 16-byte tags only.
///
/// Decryption failures of either mode collapse into one `kDecryptionFailed` error with no detail
/// (no padding oracle, no tag-vs-length distinction). Decrypted plaintext is `SecretBytes`; GCM
/// never releases unauthenticated plaintext.
///
/// Thread safety: all functions are thread-safe; an `AesKey` is immutable and may be shared
/// between threads. A stream encryptor or decryptor is used by one thread at a time.
///
/// Ownership: an `AesKey` owns a copy of its key bytes (`SecretBytes`, wiped on release); inputs
/// are borrowed for the call; results are new values the caller owns. Stream objects own their
/// OpenSSL state (movable, not copyable).

#include <cardinal/bytes.hpp>
#include <cardinal/export.hpp>
#include <cardinal/result.hpp>
#include <cardinal/secret.hpp>

#include <cstddef>
#include <memory>
#include <utility>

namespace cardinal::crypto {

/// An AES key of 16, 24 or 32 bytes. The SDK generates and the platform uses 32-byte keys only;
/// the shorter sizes exist for interoperability tests.
class CARDINAL_EXPORT AesKey {
 public:
  static constexpr std::size_t kPlatformKeySize = 32;  ///< AES-256, the only size the platform uses

  /// Errors: `kInvalidArgument` for a size other than 16, 24 or 32.
  static Result<AesKey> create(SecretBytes key);
  /// A fresh random AES-256 key.
  static Result<AesKey> generate();

  /// The raw key bytes.
  [[nodiscard]] const SecretBytes& secret() const noexcept { return key_; }
  /// Key size in bytes (16, 24 or 32).
  [[nodiscard]] std::size_t size() const noexcept { return key_.size(); }

  /// Constant time.
  friend bool operator==(const AesKey& a, const AesKey& b) noexcept { return a.key_ == b.key_; }

 private:
  explicit AesKey(SecretBytes key) : key_(std::move(key)) {}
  SecretBytes key_;
};

namespace aes_cbc {
inline constexpr std::size_t kIvSize = 16;     ///< IV bytes, prepended to the ciphertext
inline constexpr std::size_t kBlockSize = 16;  ///< AES block size

/// `IV ‖ AES-CBC-PKCS7(key, IV, plaintext)` with a fresh random IV (the platform format).
CARDINAL_EXPORT Result<Bytes> encrypt(const AesKey& key, ByteView plaintext);
/// Same with a caller-chosen IV (tests, vectors). Never reuse an IV with the same key.
/// Errors: `kInvalidArgument` for an IV that is not 16 bytes.
CARDINAL_EXPORT Result<Bytes> encrypt_with_iv(const AesKey& key, ByteView iv, ByteView plaintext);
/// Decrypts `IV ‖ ciphertext`. Errors: `kDecryptionFailed` (one error for every failure).
CARDINAL_EXPORT Result<SecretBytes> decrypt(const AesKey& key, ByteView iv_and_ciphertext);

/// Incremental encryption in the same format (`IV ‖ ciphertext`), for data too large to hold in
/// memory (document attachments). Memory use is bounded by the chunk sizes the caller passes.
/// Not thread-safe: one instance per stream.
class CARDINAL_EXPORT StreamEncryptor {
 public:
  /// A fresh random IV; the first `update` output starts with it.
  static Result<StreamEncryptor> create(const AesKey& key);
  /// Moves the stream state.
  StreamEncryptor(StreamEncryptor&&) noexcept;
  /// Moves the stream state.
  StreamEncryptor& operator=(StreamEncryptor&&) noexcept;
  ~StreamEncryptor();
  /// Encrypts the next chunk; returns the ciphertext available so far (may be empty).
  Result<Bytes> update(ByteView chunk);
  /// The last block (with padding). The encryptor is unusable afterwards.
  Result<Bytes> finish();

 private:
  struct State;
  explicit StreamEncryptor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// Incremental decryption of `IV ‖ ciphertext`. Plaintext released by `update` is not yet
/// authenticated by padding (CBC has no MAC): treat the whole stream as invalid if `finish` fails.
/// Not thread-safe: one instance per stream.
class CARDINAL_EXPORT StreamDecryptor {
 public:
  /// A decryptor; the IV is read from the first 16 bytes of the stream.
  static Result<StreamDecryptor> create(const AesKey& key);
  /// Moves the stream state.
  StreamDecryptor(StreamDecryptor&&) noexcept;
  /// Moves the stream state.
  StreamDecryptor& operator=(StreamDecryptor&&) noexcept;
  ~StreamDecryptor();
  /// Decrypts the next chunk; returns the plaintext available so far (may be empty).
  Result<SecretBytes> update(ByteView chunk);
  /// Errors: `kDecryptionFailed` (truncated stream, bad padding).
  Result<SecretBytes> finish();

 private:
  struct State;
  explicit StreamDecryptor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};
}  // namespace aes_cbc

namespace aes_gcm {
inline constexpr std::size_t kNonceSize = 12;  ///< nonce bytes, prepended
inline constexpr std::size_t kTagSize = 16;    ///< tag bytes, appended

/// `nonce ‖ ciphertext ‖ tag` with a fresh random nonce.
CARDINAL_EXPORT Result<Bytes> seal(const AesKey& key, ByteView plaintext, ByteView aad);
/// Opens `nonce ‖ ciphertext ‖ tag`. Errors: `kDecryptionFailed`.
CARDINAL_EXPORT Result<SecretBytes> open(const AesKey& key, ByteView sealed, ByteView aad);

/// `ciphertext ‖ tag` with a caller-chosen 12-byte nonce (never reuse a nonce with a key).
/// Errors: `kInvalidArgument` for a nonce that is not 12 bytes.
CARDINAL_EXPORT Result<Bytes> encrypt(const AesKey& key, ByteView nonce, ByteView plaintext, ByteView aad);
/// Decrypts `ciphertext ‖ tag` (16-byte tag). Errors: `kInvalidArgument` (nonce not 12 bytes),
/// `kDecryptionFailed` (input shorter than a tag, or authentication failure).
CARDINAL_EXPORT Result<SecretBytes> decrypt(const AesKey& key, ByteView nonce, ByteView ciphertext_and_tag,
                                            ByteView aad);
}  // namespace aes_gcm

}  // namespace cardinal::crypto
