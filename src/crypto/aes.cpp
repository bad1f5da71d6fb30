// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/aes.hpp>

#include "crypto/aes_operation.hpp"

#include <cardinal/crypto/random.hpp>

namespace cardinal::crypto {

using internal::AesDirection;
using internal::AesMode;
using internal::AesOperation;
using internal::aes_decryption_failed;

AesKey::AesKey(SecretBytes key) : key_(std::move(key)), contexts_(std::make_shared<detail::AesContexts>()) {}

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

namespace aes_gcm {

namespace {
// Encrypts into `out` (ciphertext followed by the tag): room for plaintext.size() + kTagSize.
// (No ErrorQueueGuard on the AES paths: their OpenSSL calls push nothing when they succeed, and
// every failure drains the queue into its error; see AesOperation::fail.)
Status gcm_encrypt_into(const AesKey& key, ByteView nonce, ByteView plaintext, ByteView aad, std::uint8_t* out) {
  CARDINAL_ASSIGN_OR_RETURN(auto op, AesOperation::start(key, AesMode::kGcm, AesDirection::kEncrypt, nonce));
  CARDINAL_RETURN_IF_ERROR(op.aad(aad));
  std::size_t written = 0;
  CARDINAL_RETURN_IF_ERROR(op.update(plaintext, out, written));
  CARDINAL_RETURN_IF_ERROR(op.finish(out, written));
  if (written != plaintext.size()) return Error{ErrorCode::kInternal, "AES-GCM output of unexpected size"};
  return op.get_tag(out + written, kTagSize);
}
}  // namespace

Result<Bytes> seal(const AesKey& key, ByteView plaintext, ByteView aad) {
  // One buffer: nonce ‖ ciphertext ‖ tag, written in place (no second allocation or copy).
  Bytes out(kNonceSize + plaintext.size() + kTagSize);
  CARDINAL_RETURN_IF_ERROR(internal::fill_nonce(out.data(), kNonceSize));
  CARDINAL_RETURN_IF_ERROR(
      gcm_encrypt_into(key, ByteView(out).first(kNonceSize), plaintext, aad, out.data() + kNonceSize));
  return out;
}

Result<SecretBytes> open(const AesKey& key, ByteView sealed, ByteView aad) {
  if (sealed.size() < kNonceSize + kTagSize) return aes_decryption_failed();
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
  if (ciphertext_and_tag.size() < kTagSize) return aes_decryption_failed();
  CARDINAL_ASSIGN_OR_RETURN(auto op, AesOperation::start(key, AesMode::kGcm, AesDirection::kDecrypt, nonce));
  const ByteView ct = ciphertext_and_tag.first(ciphertext_and_tag.size() - kTagSize);
  CARDINAL_RETURN_IF_ERROR(op.aad(aad));
  // One spare byte so that the output pointer is never null, even for empty plaintext.
  auto out = SecretBytes::for_overwrite(ct.size() + 1);
  std::size_t written = 0;
  CARDINAL_RETURN_IF_ERROR(op.update(ct, out.mutable_data(), written));
  CARDINAL_RETURN_IF_ERROR(op.set_tag(ciphertext_and_tag.last(kTagSize)));
  if (auto checked = op.finish(out.mutable_data(), written); !checked.ok()) {
    out.clear();  // never release unauthenticated plaintext
    return checked.error();
  }
  out.truncate(written);
  return out;
}

}  // namespace aes_gcm

}  // namespace cardinal::crypto
