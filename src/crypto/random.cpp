// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/random.hpp>

#include "crypto/openssl.hpp"

#include <openssl/rand.h>

#include <cardinal/crypto/encoding.hpp>

namespace cardinal::crypto {

namespace {
Status fill(std::uint8_t* data, std::size_t size) {
  internal::ErrorQueueGuard guard;
  while (size > 0) {
    const std::size_t chunk = size > (1u << 30) ? (1u << 30) : size;
    if (RAND_bytes(data, static_cast<int>(chunk)) != 1) {
      return internal::openssl_error(ErrorCode::kInternal, "random generator failed");
    }
    data += chunk;
    size -= chunk;
  }
  return {};
}
}  // namespace

Result<Bytes> random_bytes(std::size_t size) {
  Bytes out(size);
  CARDINAL_RETURN_IF_ERROR(fill(out.data(), out.size()));
  return out;
}

Result<SecretBytes> random_secret(std::size_t size) {
  auto out = SecretBytes::zeros(size);
  CARDINAL_RETURN_IF_ERROR(fill(out.mutable_data(), out.size()));
  return out;
}

Result<std::string> random_uuid() {
  CARDINAL_ASSIGN_OR_RETURN(Bytes b, random_bytes(16));
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
  const std::string h = hex_encode(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace cardinal::crypto
