// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/secret.hpp>

#include <openssl/crypto.h>

#include <cstring>

namespace cardinal {

namespace detail {
// glibc's explicit_bzero is memset (vectorised) behind a compiler barrier, which the optimiser may
// not remove; OPENSSL_cleanse writes 8 bytes at a time (a 1 MiB plaintext took 2-3 times longer to
// wipe). Other C libraries get OPENSSL_cleanse.
void secure_wipe(void* data, std::size_t size) noexcept {
  if (data == nullptr || size == 0) return;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
  explicit_bzero(data, size);
#else
  OPENSSL_cleanse(data, size);
#endif
}
}  // namespace detail

SecretBytes SecretBytes::from_string(std::string_view text) {
  return SecretBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));  // NOLINT
}

SecretBytes SecretBytes::zeros(std::size_t size) {
  SecretBytes out;
  out.data_.resize(size, 0);
  return out;
}

SecretBytes SecretBytes::for_overwrite(std::size_t size) {
  SecretBytes out;
  out.data_.resize(size);  // default-initialised by the wiping allocator: no zero fill
  return out;
}

void SecretBytes::truncate(std::size_t size) noexcept {
  if (size >= data_.size()) return;
  detail::secure_wipe(data_.data() + size, data_.size() - size);
  data_.resize(size);
}

void SecretBytes::clear() noexcept {
  detail::secure_wipe(data_.data(), data_.size());
  data_.clear();
}

bool operator==(const SecretBytes& a, const SecretBytes& b) noexcept {
  return constant_time_equals(a.reveal(), b.reveal());
}

bool constant_time_equals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace cardinal
