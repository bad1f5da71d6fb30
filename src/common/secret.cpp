// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/secret.hpp>

#include <openssl/crypto.h>

namespace cardinal {

namespace detail {
void secure_wipe(void* data, std::size_t size) noexcept {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
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
