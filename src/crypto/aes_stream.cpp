// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/random.hpp>

#include "crypto/openssl.hpp"

namespace cardinal::crypto::aes_cbc {

namespace {
Error failed() { return Error{ErrorCode::kDecryptionFailed, "decryption failed"}; }
constexpr std::size_t kChunk = std::size_t{1} << 30;
}  // namespace

// ----- StreamEncryptor -----

struct StreamEncryptor::State {
  internal::CipherCtxPtr ctx;
  Bytes pending_iv;  // emitted with the first output
  bool finished = false;
};

StreamEncryptor::StreamEncryptor(std::unique_ptr<State> state) : state_(std::move(state)) {}
StreamEncryptor::StreamEncryptor(StreamEncryptor&&) noexcept = default;
StreamEncryptor& StreamEncryptor::operator=(StreamEncryptor&&) noexcept = default;
StreamEncryptor::~StreamEncryptor() = default;

Result<StreamEncryptor> StreamEncryptor::create(const AesKey& key) {
  CARDINAL_ASSIGN_OR_RETURN(Bytes iv, random_bytes(kIvSize));
  internal::ErrorQueueGuard guard;
  auto state = std::make_unique<State>();
  state->ctx.reset(EVP_CIPHER_CTX_new());
  const EVP_CIPHER* cipher = internal::aes_cbc_cipher(key.size());
  if (!state->ctx || cipher == nullptr ||
      EVP_EncryptInit_ex2(state->ctx.get(), cipher, key.secret().reveal().data(), iv.data(), nullptr) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "AES-CBC init failed");
  }
  state->pending_iv = std::move(iv);
  return StreamEncryptor(std::move(state));
}

Result<Bytes> StreamEncryptor::update(ByteView chunk) {
  if (!state_ || state_->finished) return Error{ErrorCode::kInvalidArgument, "stream already finished"};
  internal::ErrorQueueGuard guard;
  Bytes out = std::move(state_->pending_iv);
  state_->pending_iv.clear();
  const std::size_t head = out.size();
  out.resize(head + chunk.size() + kBlockSize);
  std::size_t written = head;
  for (std::size_t off = 0; off < chunk.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, chunk.size() - off);
    int len = 0;
    if (EVP_EncryptUpdate(state_->ctx.get(), out.data() + written, &len, chunk.data() + off, static_cast<int>(n)) !=
        1) {
      return internal::openssl_error(ErrorCode::kInternal, "AES-CBC encryption failed");
    }
    written += static_cast<std::size_t>(len);
  }
  out.resize(written);
  return out;
}

Result<Bytes> StreamEncryptor::finish() {
  if (!state_ || state_->finished) return Error{ErrorCode::kInvalidArgument, "stream already finished"};
  internal::ErrorQueueGuard guard;
  Bytes out = std::move(state_->pending_iv);
  const std::size_t head = out.size();
  out.resize(head + kBlockSize);
  int len = 0;
  if (EVP_EncryptFinal_ex(state_->ctx.get(), out.data() + head, &len) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "AES-CBC encryption failed");
  }
  out.resize(head + static_cast<std::size_t>(len));
  state_->finished = true;
  return out;
}

// ----- StreamDecryptor -----

struct StreamDecryptor::State {
  crypto::AesKey key;
  internal::CipherCtxPtr ctx;
  Bytes iv;  // collected until 16 bytes
  bool started = false;
  bool finished = false;
};

StreamDecryptor::StreamDecryptor(std::unique_ptr<State> state) : state_(std::move(state)) {}
StreamDecryptor::StreamDecryptor(StreamDecryptor&&) noexcept = default;
StreamDecryptor& StreamDecryptor::operator=(StreamDecryptor&&) noexcept = default;
StreamDecryptor::~StreamDecryptor() = default;

Result<StreamDecryptor> StreamDecryptor::create(const AesKey& key) {
  auto state = std::make_unique<State>(State{key, internal::CipherCtxPtr(EVP_CIPHER_CTX_new()), {}, false, false});
  if (!state->ctx) return Error{ErrorCode::kInternal, "AES-CBC context allocation failed"};
  return StreamDecryptor(std::move(state));
}

Result<SecretBytes> StreamDecryptor::update(ByteView chunk) {
  if (!state_ || state_->finished) return Error{ErrorCode::kInvalidArgument, "stream already finished"};
  internal::ErrorQueueGuard guard;
  if (!state_->started) {
    const std::size_t take = std::min(kIvSize - state_->iv.size(), chunk.size());
    state_->iv.insert(state_->iv.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(take));
    chunk = chunk.subspan(take);
    if (state_->iv.size() < kIvSize) return SecretBytes{};
    const EVP_CIPHER* cipher = internal::aes_cbc_cipher(state_->key.size());
    if (cipher == nullptr || EVP_DecryptInit_ex2(state_->ctx.get(), cipher, state_->key.secret().reveal().data(),
                                                 state_->iv.data(), nullptr) != 1) {
      return internal::openssl_error(ErrorCode::kInternal, "AES-CBC init failed");
    }
    state_->started = true;
  }
  auto out = SecretBytes::zeros(chunk.size() + kBlockSize);
  std::size_t written = 0;
  for (std::size_t off = 0; off < chunk.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, chunk.size() - off);
    int len = 0;
    if (EVP_DecryptUpdate(state_->ctx.get(), out.mutable_data() + written, &len, chunk.data() + off,
                          static_cast<int>(n)) != 1) {
      return failed();
    }
    written += static_cast<std::size_t>(len);
  }
  out.truncate(written);
  return out;
}

Result<SecretBytes> StreamDecryptor::finish() {
  if (!state_ || state_->finished) return Error{ErrorCode::kInvalidArgument, "stream already finished"};
  state_->finished = true;
  if (!state_->started) return failed();
  internal::ErrorQueueGuard guard;
  auto out = SecretBytes::zeros(kBlockSize);
  int len = 0;
  if (EVP_DecryptFinal_ex(state_->ctx.get(), out.mutable_data(), &len) != 1) return failed();
  out.truncate(static_cast<std::size_t>(len));
  return out;
}

}  // namespace cardinal::crypto::aes_cbc
