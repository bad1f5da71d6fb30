// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/random.hpp>

#include "crypto/openssl.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <array>
#include <atomic>
#include <cstring>

#include <cardinal/crypto/encoding.hpp>

namespace cardinal::crypto {

namespace internal {
Status fill_random(std::uint8_t* data, std::size_t size) {
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

namespace {
// Bumped in every forked child: buffers drawn before the fork are never served after it.
std::atomic<std::uint64_t> g_fork_generation{1};
void on_fork_child() noexcept { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

struct NonceBuffer {
  std::array<std::uint8_t, 1024> bytes{};
  std::size_t used = sizeof(bytes);
  std::uint64_t generation = 0;
  NonceBuffer() = default;
  NonceBuffer(const NonceBuffer&) = delete;
  NonceBuffer& operator=(const NonceBuffer&) = delete;
  ~NonceBuffer() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};
}  // namespace

Status fill_nonce(std::uint8_t* data, std::size_t size) {
  static const bool fork_handler = pthread_atfork(nullptr, nullptr, on_fork_child) == 0;
  thread_local NonceBuffer buffer;
  if (!fork_handler || size > 64) return fill_random(data, size);
  const std::uint64_t generation = g_fork_generation.load(std::memory_order_relaxed);
  if (buffer.generation != generation || buffer.used + size > buffer.bytes.size()) {
    CARDINAL_RETURN_IF_ERROR(fill_random(buffer.bytes.data(), buffer.bytes.size()));
    buffer.used = 0;
    buffer.generation = generation;
  }
  std::memcpy(data, buffer.bytes.data() + buffer.used, size);
  OPENSSL_cleanse(buffer.bytes.data() + buffer.used, size);
  buffer.used += size;
  return {};
}
}  // namespace internal

Result<Bytes> random_bytes(std::size_t size) {
  Bytes out(size);
  CARDINAL_RETURN_IF_ERROR(internal::fill_random(out.data(), out.size()));
  return out;
}

Result<SecretBytes> random_secret(std::size_t size) {
  auto out = SecretBytes::for_overwrite(size);
  CARDINAL_RETURN_IF_ERROR(internal::fill_random(out.mutable_data(), out.size()));
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
