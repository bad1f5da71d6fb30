// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/aes_operation.hpp"

#include <algorithm>

namespace cardinal::crypto::internal {

namespace {
// OpenSSL's update functions take int lengths: feed large inputs in chunks.
constexpr std::size_t kChunk = std::size_t{1} << 30;

const EVP_CIPHER* cipher_for(AesMode mode, std::size_t key_size) noexcept {
  return mode == AesMode::kCbc ? aes_cbc_cipher(key_size) : aes_gcm_cipher(key_size);
}

std::size_t pool_index(AesMode mode, AesDirection direction) noexcept {
  return static_cast<std::size_t>(mode) * 2 + static_cast<std::size_t>(direction);
}

const char* mode_name(AesMode mode) noexcept { return mode == AesMode::kCbc ? "AES-CBC" : "AES-GCM"; }
}  // namespace

Error aes_decryption_failed() { return Error{ErrorCode::kDecryptionFailed, "decryption failed"}; }

AesOperation::AesOperation(detail::AesContexts* owner, EVP_CIPHER_CTX* ctx, AesMode mode,
                           AesDirection direction) noexcept
    : owner_(owner), ctx_(ctx), mode_(mode), direction_(direction) {}

AesOperation::AesOperation(AesOperation&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      retained_(std::move(other.retained_)),
      ctx_(std::exchange(other.ctx_, nullptr)),
      mode_(other.mode_),
      direction_(other.direction_) {}

AesOperation& AesOperation::operator=(AesOperation&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    retained_ = std::move(other.retained_);
    ctx_ = std::exchange(other.ctx_, nullptr);
    mode_ = other.mode_;
    direction_ = other.direction_;
  }
  return *this;
}

AesOperation::~AesOperation() { release(); }

void AesOperation::release() noexcept {
  if (ctx_ == nullptr) return;
  if (owner_ != nullptr) {
    owner_->pools[pool_index(mode_, direction_)].give(ctx_);
  } else {
    EVP_CIPHER_CTX_free(ctx_);
  }
  ctx_ = nullptr;
}

Result<AesOperation> AesOperation::start(const AesKey& key, AesMode mode, AesDirection direction, ByteView iv,
                                         bool retain) {
  const auto& contexts = detail::AesKeyAccess::contexts(key);
  const int enc = direction == AesDirection::kEncrypt ? 1 : 0;
  AesOperation op(contexts.get(), nullptr, mode, direction);
  if (retain) op.retained_ = contexts;
  if (contexts) {
    // A keyed context: only the IV changes (no key schedule, no allocation).
    op.ctx_ = contexts->pools[pool_index(mode, direction)].take();
    if (op.ctx_ != nullptr && EVP_CipherInit_ex2(op.ctx_, nullptr, nullptr, iv.data(), enc, nullptr) != 1) {
      EVP_CIPHER_CTX_free(op.ctx_);  // start over with a fresh one
      op.ctx_ = nullptr;
      ERR_clear_error();  // nothing of this failure left behind (no guard on the AES paths)
    }
  }
  if (op.ctx_ == nullptr) {
    const EVP_CIPHER* cipher = cipher_for(mode, key.size());
    op.ctx_ = EVP_CIPHER_CTX_new();
    if (cipher == nullptr || op.ctx_ == nullptr ||
        EVP_CipherInit_ex2(op.ctx_, cipher, key.secret().reveal().data(), iv.data(), enc, nullptr) != 1) {
      EVP_CIPHER_CTX_free(op.ctx_);
      op.ctx_ = nullptr;
      return openssl_error(ErrorCode::kInternal, std::string(mode_name(mode)) + " init failed");
    }
  }
  return op;
}

Error AesOperation::fail(const char* what) {
  if (ctx_ != nullptr) EVP_CIPHER_CTX_free(ctx_);  // never reused after a failure
  ctx_ = nullptr;
  if (direction_ == AesDirection::kDecrypt) {
    ERR_clear_error();
    return aes_decryption_failed();
  }
  return openssl_error(ErrorCode::kInternal, std::string(mode_name(mode_)) + " " + what);
}

Status AesOperation::aad(ByteView data) {
  int len = 0;
  for (std::size_t off = 0; off < data.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, data.size() - off);
    if (EVP_CipherUpdate(ctx_, nullptr, &len, data.data() + off, static_cast<int>(n)) != 1) return fail("AAD failed");
  }
  return {};
}

Status AesOperation::update(ByteView in, std::uint8_t* out, std::size_t& written) {
  for (std::size_t off = 0; off < in.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, in.size() - off);
    int len = 0;
    if (EVP_CipherUpdate(ctx_, out + written, &len, in.data() + off, static_cast<int>(n)) != 1) {
      return fail("update failed");
    }
    written += static_cast<std::size_t>(len);
  }
  return {};
}

Status AesOperation::finish(std::uint8_t* out, std::size_t& written) {
  int len = 0;
  // A non-positive return is a failure (for GCM decryption: the tag does not verify).
  if (EVP_CipherFinal_ex(ctx_, out + written, &len) <= 0) return fail("final failed");
  written += static_cast<std::size_t>(len);
  return {};
}

Status AesOperation::get_tag(std::uint8_t* out, std::size_t size) {
  if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, static_cast<int>(size), out) != 1) return fail("tag failed");
  return {};
}

Status AesOperation::set_tag(ByteView tag) {
  if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()),
                          const_cast<std::uint8_t*>(tag.data())) != 1) {  // NOLINT: OpenSSL API is not const
    return fail("tag failed");
  }
  return {};
}

}  // namespace cardinal::crypto::internal
