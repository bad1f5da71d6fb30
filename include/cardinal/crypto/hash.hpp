// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// SHA-2 digests, HMAC and HKDF on OpenSSL 3 EVP.
///
/// Thread safety: all functions are thread-safe; an `HmacKey` is immutable and may be shared
/// between threads; a `Sha256Stream` is used by one thread at a time.
///
/// Ownership: an `HmacKey` owns its key bytes (`SecretBytes`); a `Sha256Stream` owns its OpenSSL
/// context (movable, not copyable); inputs are borrowed for the call, results owned by the caller.

#include <cardinal/bytes.hpp>
#include <cardinal/export.hpp>
#include <cardinal/result.hpp>
#include <cardinal/secret.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace cardinal::crypto {

namespace detail {
struct HmacContexts;
}  // namespace detail

/// SHA-256 of `data` (32 bytes).
CARDINAL_EXPORT Bytes sha256(ByteView data);
/// SHA-512 of `data` (64 bytes).
CARDINAL_EXPORT Bytes sha512(ByteView data);

/// Incremental SHA-256, for data that arrives in pieces (streamed attachments). Not thread-safe;
/// movable, not copyable.
class CARDINAL_EXPORT Sha256Stream {
 public:
  Sha256Stream();   ///< An empty digest.
  ~Sha256Stream();  ///< Frees the OpenSSL context.
  Sha256Stream(Sha256Stream&&) noexcept;             ///< Moves the digest state.
  Sha256Stream& operator=(Sha256Stream&&) noexcept;  ///< Moves the digest state.
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  /// Adds bytes to the digest.
  void update(ByteView data);
  /// The digest of everything added (32 bytes). The stream starts over afterwards.
  [[nodiscard]] Bytes finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// The digest of an HMAC key.
enum class HmacHash { kSha256, kSha512 };

/// HMAC key: the bytes (any length ≥ 1; the platform's shared signature keys are 128 bytes for
/// SHA-512) and the hash it is bound to. A key never changes its hash. A key (and its copies) also
/// keeps a few keyed OpenSSL contexts for reuse, each serving one thread at a time, wiped and freed
/// with the last copy of the key.
class CARDINAL_EXPORT HmacKey {
 public:
  /// Errors: `kInvalidArgument` for an empty key.
  static Result<HmacKey> create(HmacHash hash, SecretBytes key);
  /// A fresh random key of the hash's block size (64 bytes for SHA-256, 128 for SHA-512).
  static Result<HmacKey> generate(HmacHash hash);

  /// The hash function.
  [[nodiscard]] HmacHash hash() const noexcept { return hash_; }
  /// The raw key bytes.
  [[nodiscard]] const SecretBytes& secret() const noexcept { return key_; }
  /// Full-length tag size in bytes (32 or 64).
  [[nodiscard]] std::size_t tag_size() const noexcept;

  /// The full-length tag of `data`.
  [[nodiscard]] Bytes sign(ByteView data) const;
  /// Checks a full-length tag in constant time. Truncated tags are refused.
  /// Errors: `kVerificationFailed`.
  [[nodiscard]] Status verify(ByteView data, ByteView tag) const;

 private:
  HmacKey(HmacHash hash, SecretBytes key);
  void sign_into(ByteView data, std::uint8_t* out) const;  // `tag_size()` bytes at `out`
  HmacHash hash_;
  SecretBytes key_;
  std::shared_ptr<detail::HmacContexts> contexts_;  // keyed OpenSSL contexts, shared by copies
};

/// HKDF-SHA256 (RFC 5869) of `length` bytes. An empty salt means "no salt" (a zero block).
/// Errors: `kInvalidArgument` when `length` is 0 or exceeds 255 × 32.
CARDINAL_EXPORT Result<SecretBytes> hkdf_sha256(const SecretBytes& ikm, ByteView salt, ByteView info,
                                                std::size_t length);

}  // namespace cardinal::crypto
