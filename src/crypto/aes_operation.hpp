// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The one shape behind AES-CBC and AES-GCM, one-shot and streamed (internal): a keyed context
// taken from the key's pool, set to a fresh IV, fed in int-sized chunks, given back when the
// operation succeeded (dropped and wiped otherwise), and one error mapping: encryption failures
// carry OpenSSL's reason, decryption failures collapse into one generic error (no oracle).

#include <cardinal/crypto/aes.hpp>

#include "crypto/ctx_pool.hpp"
#include "crypto/openssl.hpp"

#include <array>
#include <cstdint>
#include <memory>

namespace cardinal::crypto {

namespace internal {
/// A keyed AES-CBC context with padding off, and its chaining value: the last ciphertext block it
/// processed (public). The one-shot CBC calls run each message as a continuation of the context's
/// CBC stream, with the first block corrected for the message's own IV (see aes_cbc.cpp), so a
/// message costs one EVP_CipherUpdate and no re-initialisation.
struct CbcChain {
  EVP_CIPHER_CTX* ctx = nullptr;
  std::array<std::uint8_t, 16> chain{};
};
void free_cbc_chain(CbcChain* c) noexcept;
}  // namespace internal

namespace detail {
using CipherCtxPool = internal::CtxPool<EVP_CIPHER_CTX, &EVP_CIPHER_CTX_free>;
using CbcChainPool = internal::CtxPool<internal::CbcChain, &internal::free_cbc_chain>;

/// Ready contexts of one key: one pool per (mode, direction) for operations that set an IV
/// (GCM, streams), and one per direction of chained CBC contexts for the one-shot CBC calls.
struct AesContexts {
  std::array<CipherCtxPool, 4> pools;
  std::array<CbcChainPool, 2> chained;
};

struct AesKeyAccess {
  static const std::shared_ptr<AesContexts>& contexts(const AesKey& key) noexcept { return key.contexts_; }
};
}  // namespace detail

namespace internal {

enum class AesMode : std::uint8_t { kCbc = 0, kGcm = 1 };
enum class AesDirection : std::uint8_t { kEncrypt = 0, kDecrypt = 1 };

/// One encryption or decryption with one IV. Not thread-safe (one per thread); movable.
class AesOperation {
 public:
  /// A context for `key` with `iv` set (16 bytes for CBC, 12 for GCM; the caller checks sizes).
  /// `retain`: the operation keeps the key's contexts alive (streams, which may outlive the key);
  /// otherwise the key must outlive the operation.
  static Result<AesOperation> start(const AesKey& key, AesMode mode, AesDirection direction, ByteView iv,
                                    bool retain = false);

  AesOperation(AesOperation&& other) noexcept;
  AesOperation& operator=(AesOperation&& other) noexcept;
  AesOperation(const AesOperation&) = delete;
  AesOperation& operator=(const AesOperation&) = delete;
  ~AesOperation();

  /// GCM additional data.
  Status aad(ByteView data);
  /// Processes `in` into `out + written`; `out` has room for `in.size() + 16` bytes.
  Status update(ByteView in, std::uint8_t* out, std::size_t& written);
  /// The last block (CBC padding) or the GCM check; `out + written` has room for 16 bytes.
  Status finish(std::uint8_t* out, std::size_t& written);
  /// GCM: the tag after `finish` of an encryption / the expected tag before `finish` of a decryption.
  Status get_tag(std::uint8_t* out, std::size_t size);
  Status set_tag(ByteView tag);

 private:
  AesOperation(detail::AesContexts* owner, EVP_CIPHER_CTX* ctx, AesMode mode, AesDirection direction) noexcept;
  /// Drops the context (it is not reused after a failure) and maps the error for the direction.
  Error fail(const char* what);
  void release() noexcept;

  detail::AesContexts* owner_ = nullptr;  // where the context goes back (null: freed)
  std::shared_ptr<detail::AesContexts> retained_;
  EVP_CIPHER_CTX* ctx_ = nullptr;
  AesMode mode_ = AesMode::kCbc;
  AesDirection direction_ = AesDirection::kEncrypt;
};

/// The generic decryption error of both modes.
Error aes_decryption_failed();

}  // namespace internal
}  // namespace cardinal::crypto
