// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// One-shot AES-CBC-PKCS7 (`IV ‖ ciphertext`) on chained contexts.
//
// A keyed context with padding off is a CBC stream: each EVP_CipherUpdate of whole blocks chains
// on the last ciphertext block it processed (its chaining value, kept next to it). A new message
// with its own IV is run as the continuation of that stream: for encryption the first plaintext
// block is XORed with `IV ⊕ chain` before the update, so the cipher sees `P0 ⊕ IV` as plain CBC
// would; for decryption the first output block (`D(C0) ⊕ chain`) is XORed with `chain ⊕ IV`.
// The output is exactly AES-CBC with that IV (Wycheproof vectors on fresh keys, CryptoReuse.* on
// reused contexts), but a message costs one update: no re-initialisation and no final call, which
// were most of the cost of a small message. PKCS#7 padding is added and checked here, the check
// without branches on the plaintext; every decryption failure is the same generic error.

#include <cardinal/crypto/aes.hpp>

#include "crypto/aes_operation.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace cardinal::crypto {

namespace internal {
void free_cbc_chain(CbcChain* c) noexcept {
  if (c == nullptr) return;
  EVP_CIPHER_CTX_free(c->ctx);
  delete c;  // NOLINT: pool entries are raw pointers
}
}  // namespace internal

namespace aes_cbc {

namespace {
using internal::CbcChain;

// OpenSSL's update takes int lengths: large inputs go in whole-block chunks of 1 GiB.
constexpr std::size_t kChunk = std::size_t{1} << 30;

std::size_t pool_of(bool encrypt) noexcept { return encrypt ? 0 : 1; }

// A chained context of `key`: from the key's pool, or a new one (keyed, zero chaining value,
// padding off). Null when OpenSSL cannot set one up.
CbcChain* take_chain(const AesKey& key, bool encrypt) {
  const auto& contexts = detail::AesKeyAccess::contexts(key);
  if (contexts) {
    if (CbcChain* c = contexts->chained[pool_of(encrypt)].take()) return c;
  }
  const EVP_CIPHER* cipher = internal::aes_cbc_cipher(key.size());
  auto c = std::make_unique<CbcChain>();
  c->ctx = EVP_CIPHER_CTX_new();
  if (cipher == nullptr || c->ctx == nullptr ||
      EVP_CipherInit_ex2(c->ctx, cipher, key.secret().reveal().data(), c->chain.data(), encrypt ? 1 : 0, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(c->ctx, 0) != 1) {
    internal::free_cbc_chain(c.release());
    return nullptr;
  }
  return c.release();
}

// Gives a context back after a complete operation (its chaining value updated).
void give_chain(const AesKey& key, bool encrypt, CbcChain* c) noexcept {
  const auto& contexts = detail::AesKeyAccess::contexts(key);
  if (contexts) {
    contexts->chained[pool_of(encrypt)].give(c);
  } else {
    internal::free_cbc_chain(c);
  }
}

// Runs whole blocks through the stream (in place allowed). False on an OpenSSL failure.
bool run_blocks(EVP_CIPHER_CTX* ctx, std::uint8_t* out, const std::uint8_t* in, std::size_t size) noexcept {
  for (std::size_t off = 0; off < size; off += kChunk) {
    const std::size_t n = std::min(kChunk, size - off);
    int len = 0;
    if (EVP_CipherUpdate(ctx, out + off, &len, in + off, static_cast<int>(n)) != 1 ||
        static_cast<std::size_t>(len) != n) {
      return false;
    }
  }
  return true;
}

void xor_block(std::uint8_t* block, const std::uint8_t* a, const std::uint8_t* b) noexcept {
  for (std::size_t i = 0; i < kBlockSize; ++i) block[i] = static_cast<std::uint8_t>(block[i] ^ a[i] ^ b[i]);
}

// Constant-time helpers on values below 2^31: 1 or 0, no branch.
std::uint32_t ct_lt(std::uint32_t a, std::uint32_t b) noexcept { return (a - b) >> 31; }
std::uint32_t ct_ne(std::uint32_t a, std::uint32_t b) noexcept {
  const std::uint32_t x = a ^ b;
  return (x | (0u - x)) >> 31;
}

// The PKCS#7 padding length (1..16) that ends `last` (the last block), or 0 when the padding is
// not valid. The time does not depend on the block's content.
std::size_t pkcs7_padding(const std::uint8_t* last) noexcept {
  const std::uint32_t pad = last[kBlockSize - 1];
  std::uint32_t bad = (1u - ct_ne(pad, 0)) | ct_lt(kBlockSize, pad);
  for (std::uint32_t i = 0; i < kBlockSize; ++i) {
    bad |= ct_lt(i, pad) & ct_ne(last[kBlockSize - 1 - i], pad);
  }
  return static_cast<std::size_t>(pad & (0u - (bad ^ 1u)));
}

// `out` holds the IV; appends the padded plaintext and encrypts it in place.
Result<Bytes> encrypt_after_iv(const AesKey& key, Bytes out, ByteView plaintext) {
  const std::size_t pad = kBlockSize - plaintext.size() % kBlockSize;
  CbcChain* c = take_chain(key, true);  // before the plaintext is copied: no clear copy on this failure
  if (c == nullptr) return internal::openssl_error(ErrorCode::kInternal, "AES-CBC init failed");
  out.insert(out.end(), plaintext.begin(), plaintext.end());
  out.insert(out.end(), pad, static_cast<std::uint8_t>(pad));
  std::uint8_t* body = out.data() + kIvSize;
  const std::size_t size = out.size() - kIvSize;
  xor_block(body, out.data(), c->chain.data());  // the stream then sees P0 ⊕ IV
  if (!run_blocks(c->ctx, body, body, size)) {
    internal::free_cbc_chain(c);  // never reused after a failure
    OPENSSL_cleanse(out.data(), out.size());  // the buffer may still hold clear text
    return internal::openssl_error(ErrorCode::kInternal, "AES-CBC update failed");
  }
  std::memcpy(c->chain.data(), body + size - kBlockSize, kBlockSize);
  give_chain(key, true, c);
  return out;
}

Bytes with_room(std::size_t plaintext_size) {
  Bytes out;
  out.reserve(kIvSize + plaintext_size + kBlockSize);
  out.resize(kIvSize);
  return out;
}
}  // namespace

Result<Bytes> encrypt(const AesKey& key, ByteView plaintext) {
  Bytes out = with_room(plaintext.size());
  CARDINAL_RETURN_IF_ERROR(internal::fill_nonce(out.data(), kIvSize));
  return encrypt_after_iv(key, std::move(out), plaintext);
}

Result<Bytes> encrypt_with_iv(const AesKey& key, ByteView iv, ByteView plaintext) {
  if (iv.size() != kIvSize) return Error{ErrorCode::kInvalidArgument, "AES-CBC IV must be 16 bytes"};
  Bytes out = with_room(plaintext.size());
  std::copy(iv.begin(), iv.end(), out.begin());
  return encrypt_after_iv(key, std::move(out), plaintext);
}

Result<SecretBytes> decrypt(const AesKey& key, ByteView iv_and_ciphertext) {
  // IV plus at least one block, whole blocks only.
  if (iv_and_ciphertext.size() < kIvSize + kBlockSize || iv_and_ciphertext.size() % kBlockSize != 0) {
    return internal::aes_decryption_failed();
  }
  const ByteView iv = iv_and_ciphertext.first(kIvSize);
  const ByteView ct = iv_and_ciphertext.subspan(kIvSize);
  CbcChain* c = take_chain(key, false);
  if (c == nullptr) return internal::openssl_error(ErrorCode::kInternal, "AES-CBC init failed");
  auto out = SecretBytes::for_overwrite(ct.size());
  if (!run_blocks(c->ctx, out.mutable_data(), ct.data(), ct.size())) {
    internal::free_cbc_chain(c);
    out.clear();
    ERR_clear_error();
    return internal::aes_decryption_failed();
  }
  xor_block(out.mutable_data(), c->chain.data(), iv.data());  // D(C0) ⊕ chain → D(C0) ⊕ IV
  std::memcpy(c->chain.data(), ct.data() + ct.size() - kBlockSize, kBlockSize);
  give_chain(key, false, c);  // the context holds nothing of this message but public ciphertext
  const std::size_t pad = pkcs7_padding(out.reveal().data() + ct.size() - kBlockSize);
  if (pad == 0) {
    out.clear();
    return internal::aes_decryption_failed();
  }
  out.truncate(ct.size() - pad);
  return out;
}

}  // namespace aes_cbc
}  // namespace cardinal::crypto
