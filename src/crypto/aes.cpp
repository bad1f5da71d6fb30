// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/aes.hpp>

#include "crypto/openssl.hpp"

#include <cardinal/crypto/random.hpp>

namespace cardinal::crypto {

namespace {
Error decryption_failed() { return Error{ErrorCode::kDecryptionFailed, "decryption failed"}; }

// OpenSSL's update functions take int lengths: feed large inputs in chunks.
constexpr std::size_t kChunk = std::size_t{1} << 30;
}  // namespace

Result<AesKey> AesKey::create(SecretBytes key) {
  if (key.size() != 16 && key.size() != 24 && key.size() != 32) {
    return Error{ErrorCode::kInvalidArgument, "AES key must be 16, 24 or 32 bytes, got " + std::to_string(key.size())};
  }
  return AesKey(std::move(key));
}

Result<AesKey> AesKey::generate() {
  CARDINAL_ASSIGN_OR_RETURN(auto key, random_secret(kPlatformKeySize));
  return AesKey(std::move(key));
}

namespace aes_cbc {

Result<Bytes> encrypt(const AesKey& key, ByteView plaintext) {
  CARDINAL_ASSIGN_OR_RETURN(Bytes iv, random_bytes(kIvSize));
  return encrypt_with_iv(key, iv, plaintext);
}

Result<Bytes> encrypt_with_iv(const AesKey& key, ByteView iv, ByteView plaintext) {
  if (iv.size() != kIvSize) return Error{ErrorCode::kInvalidArgument, "AES-CBC IV must be 16 bytes"};
  internal::ErrorQueueGuard guard;
  const EVP_CIPHER* cipher = internal::aes_cbc_cipher(key.size());
  internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || !ctx) return internal::openssl_error(ErrorCode::kInternal, "AES-CBC unavailable");
  if (EVP_EncryptInit_ex2(ctx.get(), cipher, key.secret().reveal().data(), iv.data(), nullptr) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "AES-CBC init failed");
  }
  Bytes out(kIvSize + plaintext.size() + kBlockSize);
  std::copy(iv.begin(), iv.end(), out.begin());
  std::size_t written = kIvSize;
  for (std::size_t off = 0; off < plaintext.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, plaintext.size() - off);
    int len = 0;
    if (EVP_EncryptUpdate(ctx.get(), out.data() + written, &len, plaintext.data() + off, static_cast<int>(n)) != 1) {
      return internal::openssl_error(ErrorCode::kInternal, "AES-CBC encryption failed");
    }
    written += static_cast<std::size_t>(len);
  }
  int len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + written, &len) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "AES-CBC encryption failed");
  }
  written += static_cast<std::size_t>(len);
  out.resize(written);
  return out;
}

Result<SecretBytes> decrypt(const AesKey& key, ByteView iv_and_ciphertext) {
  // IV plus at least one block, whole blocks only.
  if (iv_and_ciphertext.size() < kIvSize + kBlockSize || iv_and_ciphertext.size() % kBlockSize != 0) {
    return decryption_failed();
  }
  internal::ErrorQueueGuard guard;
  const EVP_CIPHER* cipher = internal::aes_cbc_cipher(key.size());
  internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || !ctx) return internal::openssl_error(ErrorCode::kInternal, "AES-CBC unavailable");
  const ByteView iv = iv_and_ciphertext.first(kIvSize);
  const ByteView ct = iv_and_ciphertext.subspan(kIvSize);
  if (EVP_DecryptInit_ex2(ctx.get(), cipher, key.secret().reveal().data(), iv.data(), nullptr) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "AES-CBC init failed");
  }
  auto out = SecretBytes::zeros(ct.size() + kBlockSize);
  std::size_t written = 0;
  for (std::size_t off = 0; off < ct.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, ct.size() - off);
    int len = 0;
    if (EVP_DecryptUpdate(ctx.get(), out.mutable_data() + written, &len, ct.data() + off, static_cast<int>(n)) != 1) {
      return decryption_failed();
    }
    written += static_cast<std::size_t>(len);
  }
  int len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.mutable_data() + written, &len) != 1) return decryption_failed();
  written += static_cast<std::size_t>(len);
  out.truncate(written);
  return out;
}

}  // namespace aes_cbc

namespace aes_gcm {

namespace {
// Encrypts into `out` (ciphertext followed by the tag): out.size() == plaintext.size() + kTagSize.
Status gcm_encrypt_into(const AesKey& key, ByteView nonce, ByteView plaintext, ByteView aad, std::uint8_t* out) {
  internal::ErrorQueueGuard guard;
  const EVP_CIPHER* cipher = internal::aes_gcm_cipher(key.size());
  internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || !ctx) return internal::openssl_error(ErrorCode::kInternal, "AES-GCM unavailable");
  if (EVP_EncryptInit_ex2(ctx.get(), cipher, key.secret().reveal().data(), nonce.data(), nullptr) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "AES-GCM init failed");
  }
  int len = 0;
  for (std::size_t off = 0; off < aad.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, aad.size() - off);
    if (EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data() + off, static_cast<int>(n)) != 1) {
      return internal::openssl_error(ErrorCode::kInternal, "AES-GCM AAD failed");
    }
  }
  std::size_t written = 0;
  for (std::size_t off = 0; off < plaintext.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, plaintext.size() - off);
    if (EVP_EncryptUpdate(ctx.get(), out + written, &len, plaintext.data() + off, static_cast<int>(n)) != 1) {
      return internal::openssl_error(ErrorCode::kInternal, "AES-GCM encryption failed");
    }
    written += static_cast<std::size_t>(len);
  }
  if (EVP_EncryptFinal_ex(ctx.get(), out + written, &len) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "AES-GCM encryption failed");
  }
  written += static_cast<std::size_t>(len);
  if (written != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), out + written) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "AES-GCM tag failed");
  }
  return {};
}
}  // namespace

Result<Bytes> seal(const AesKey& key, ByteView plaintext, ByteView aad) {
  // One buffer: nonce ‖ ciphertext ‖ tag, written in place (no second allocation or copy).
  Bytes out(kNonceSize + plaintext.size() + kTagSize);
  CARDINAL_ASSIGN_OR_RETURN(Bytes nonce, random_bytes(kNonceSize));
  std::copy(nonce.begin(), nonce.end(), out.begin());
  CARDINAL_RETURN_IF_ERROR(
      gcm_encrypt_into(key, ByteView(out).first(kNonceSize), plaintext, aad, out.data() + kNonceSize));
  return out;
}

Result<SecretBytes> open(const AesKey& key, ByteView sealed, ByteView aad) {
  if (sealed.size() < kNonceSize + kTagSize) return decryption_failed();
  return decrypt(key, sealed.first(kNonceSize), sealed.subspan(kNonceSize), aad);
}

Result<Bytes> encrypt(const AesKey& key, ByteView nonce, ByteView plaintext, ByteView aad) {
  if (nonce.size() != kNonceSize) return Error{ErrorCode::kInvalidArgument, "AES-GCM nonce must be 12 bytes"};
  Bytes out(plaintext.size() + kTagSize);
  CARDINAL_RETURN_IF_ERROR(gcm_encrypt_into(key, nonce, plaintext, aad, out.data()));
  return out;
}

Result<SecretBytes> decrypt(const AesKey& key, ByteView nonce, ByteView ciphertext_and_tag, ByteView aad) {
  if (nonce.size() != kNonceSize) return Error{ErrorCode::kInvalidArgument, "AES-GCM nonce must be 12 bytes"};
  if (ciphertext_and_tag.size() < kTagSize) return decryption_failed();
  internal::ErrorQueueGuard guard;
  const EVP_CIPHER* cipher = internal::aes_gcm_cipher(key.size());
  internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || !ctx) return internal::openssl_error(ErrorCode::kInternal, "AES-GCM unavailable");
  if (EVP_DecryptInit_ex2(ctx.get(), cipher, key.secret().reveal().data(), nonce.data(), nullptr) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "AES-GCM init failed");
  }
  const ByteView ct = ciphertext_and_tag.first(ciphertext_and_tag.size() - kTagSize);
  const ByteView tag = ciphertext_and_tag.last(kTagSize);
  int len = 0;
  for (std::size_t off = 0; off < aad.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, aad.size() - off);
    if (EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data() + off, static_cast<int>(n)) != 1)
      return decryption_failed();
  }
  // One spare byte so that the output pointer is never null, even for empty plaintext.
  auto out = SecretBytes::zeros(ct.size() + 1);
  std::size_t written = 0;
  for (std::size_t off = 0; off < ct.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, ct.size() - off);
    if (EVP_DecryptUpdate(ctx.get(), out.mutable_data() + written, &len, ct.data() + off, static_cast<int>(n)) != 1) {
      return decryption_failed();
    }
    written += static_cast<std::size_t>(len);
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          const_cast<std::uint8_t*>(tag.data())) != 1) {  // NOLINT: OpenSSL API is not const
    return decryption_failed();
  }
  if (EVP_DecryptFinal_ex(ctx.get(), out.mutable_data() + written, &len) <= 0) {
    out.clear();  // never release unauthenticated plaintext
    return decryption_failed();
  }
  out.truncate(written);
  return out;
}

}  // namespace aes_gcm

}  // namespace cardinal::crypto
