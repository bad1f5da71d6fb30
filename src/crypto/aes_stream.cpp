// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/aes.hpp>

#include "crypto/aes_operation.hpp"

#include <optional>

namespace cardinal::crypto::aes_cbc {

using internal::AesDirection;
using internal::AesMode;
using internal::AesOperation;

namespace {
Error finished_error() { return Error{ErrorCode::kInvalidArgument, "stream already finished"}; }
}  // namespace

// ----- StreamEncryptor -----

struct StreamEncryptor::State {
  AesOperation op;
  Bytes pending_iv;  // emitted with the first output
  bool finished = false;
};

StreamEncryptor::StreamEncryptor(std::unique_ptr<State> state) : state_(std::move(state)) {}
StreamEncryptor::StreamEncryptor(StreamEncryptor&&) noexcept = default;
StreamEncryptor& StreamEncryptor::operator=(StreamEncryptor&&) noexcept = default;
StreamEncryptor::~StreamEncryptor() = default;

Result<StreamEncryptor> StreamEncryptor::create(const AesKey& key) {
  Bytes iv(kIvSize);
  CARDINAL_RETURN_IF_ERROR(internal::fill_nonce(iv.data(), iv.size()));
  internal::ErrorQueueGuard guard;
  CARDINAL_ASSIGN_OR_RETURN(auto op, AesOperation::start(key, AesMode::kCbc, AesDirection::kEncrypt, iv, true));
  return StreamEncryptor(std::make_unique<State>(State{std::move(op), std::move(iv), false}));
}

Result<Bytes> StreamEncryptor::update(ByteView chunk) {
  if (!state_ || state_->finished) return finished_error();
  internal::ErrorQueueGuard guard;
  Bytes out = std::move(state_->pending_iv);
  state_->pending_iv.clear();
  std::size_t written = out.size();
  out.resize(written + chunk.size() + kBlockSize);
  if (auto s = state_->op.update(chunk, out.data(), written); !s.ok()) {
    state_->finished = true;
    return s.error();
  }
  out.resize(written);
  return out;
}

Result<Bytes> StreamEncryptor::finish() {
  if (!state_ || state_->finished) return finished_error();
  internal::ErrorQueueGuard guard;
  state_->finished = true;
  Bytes out = std::move(state_->pending_iv);
  std::size_t written = out.size();
  out.resize(written + kBlockSize);
  CARDINAL_RETURN_IF_ERROR(state_->op.finish(out.data(), written));
  out.resize(written);
  return out;
}

// ----- StreamDecryptor -----

struct StreamDecryptor::State {
  crypto::AesKey key;
  std::optional<AesOperation> op;  // started once the IV is complete
  Bytes iv;                        // collected until 16 bytes
  bool finished = false;
};

StreamDecryptor::StreamDecryptor(std::unique_ptr<State> state) : state_(std::move(state)) {}
StreamDecryptor::StreamDecryptor(StreamDecryptor&&) noexcept = default;
StreamDecryptor& StreamDecryptor::operator=(StreamDecryptor&&) noexcept = default;
StreamDecryptor::~StreamDecryptor() = default;

Result<StreamDecryptor> StreamDecryptor::create(const AesKey& key) {
  return StreamDecryptor(std::make_unique<State>(State{key, std::nullopt, {}, false}));
}

Result<SecretBytes> StreamDecryptor::update(ByteView chunk) {
  if (!state_ || state_->finished) return finished_error();
  internal::ErrorQueueGuard guard;
  if (!state_->op) {
    const std::size_t take = std::min(kIvSize - state_->iv.size(), chunk.size());
    state_->iv.insert(state_->iv.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(take));
    chunk = chunk.subspan(take);
    if (state_->iv.size() < kIvSize) return SecretBytes{};
    CARDINAL_ASSIGN_OR_RETURN(auto op, AesOperation::start(state_->key, AesMode::kCbc, AesDirection::kDecrypt,
                                                           state_->iv));
    state_->op.emplace(std::move(op));
  }
  auto out = SecretBytes::for_overwrite(chunk.size() + kBlockSize);
  std::size_t written = 0;
  if (auto s = state_->op->update(chunk, out.mutable_data(), written); !s.ok()) {
    state_->finished = true;
    return s.error();
  }
  out.truncate(written);
  return out;
}

Result<SecretBytes> StreamDecryptor::finish() {
  if (!state_ || state_->finished) return finished_error();
  state_->finished = true;
  if (!state_->op) return internal::aes_decryption_failed();
  internal::ErrorQueueGuard guard;
  auto out = SecretBytes::for_overwrite(kBlockSize);
  std::size_t written = 0;
  CARDINAL_RETURN_IF_ERROR(state_->op->finish(out.mutable_data(), written));
  out.truncate(written);
  return out;
}

}  // namespace cardinal::crypto::aes_cbc
