// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/delegation_crypto.hpp"

#include <cardinal/crypto/encoding.hpp>

#include <algorithm>
#include <cstring>

namespace cardinal::engine {

namespace {
constexpr std::uint8_t kPrefix[] = {'C', 'u', 'r', 'e'};
constexpr std::size_t kMaxValue = 4096;
}  // namespace

Result<std::string> encrypt_delegation_value(const crypto::AesKey& exchange_key, ByteView payload) {
  auto plain = SecretBytes::zeros(sizeof(kPrefix) + payload.size());
  std::copy(std::begin(kPrefix), std::end(kPrefix), plain.mutable_data());
  std::copy(payload.begin(), payload.end(), plain.mutable_data() + sizeof(kPrefix));
  CARDINAL_ASSIGN_OR_RETURN(Bytes ct, crypto::aes_cbc::encrypt(exchange_key, plain.reveal()));
  return crypto::base64_encode(ct);
}

Result<SecretBytes> decrypt_delegation_value(const crypto::AesKey& exchange_key, std::string_view b64) {
  if (b64.size() > kMaxValue) return Error{ErrorCode::kMalformedInput, "delegation value too long"};
  CARDINAL_ASSIGN_OR_RETURN(Bytes ct, crypto::base64_decode(b64));
  CARDINAL_ASSIGN_OR_RETURN(SecretBytes plain, crypto::aes_cbc::decrypt(exchange_key, ct));
  if (plain.size() < sizeof(kPrefix) || !std::equal(std::begin(kPrefix), std::end(kPrefix), plain.reveal().begin())) {
    return Error{ErrorCode::kTamperDetected, "delegation value lacks the 'Cure' validation prefix"};
  }
  // The prefix dropped in place (no second buffer; truncate wipes the tail).
  const std::size_t payload = plain.size() - sizeof(kPrefix);
  std::memmove(plain.mutable_data(), plain.mutable_data() + sizeof(kPrefix), payload);
  plain.truncate(payload);
  return plain;
}

Result<crypto::AesKey> decrypt_entity_key(const crypto::AesKey& exchange_key, std::string_view b64) {
  CARDINAL_ASSIGN_OR_RETURN(SecretBytes raw, decrypt_delegation_value(exchange_key, b64));
  if (raw.size() != 16 && raw.size() != 32) {
    return Error{ErrorCode::kTamperDetected, "decrypted entity key has an invalid size"};
  }
  return crypto::AesKey::create(std::move(raw));
}

Result<std::string> decrypt_delegation_id(const crypto::AesKey& exchange_key, std::string_view b64) {
  CARDINAL_ASSIGN_OR_RETURN(SecretBytes raw, decrypt_delegation_value(exchange_key, b64));
  return std::string(raw.reveal_as_text());
}

}  // namespace cardinal::engine
