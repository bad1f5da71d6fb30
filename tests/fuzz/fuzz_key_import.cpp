// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Key import from DER, hex and PEM, and the codecs.
#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/rsa.hpp>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardinal;
  using namespace cardinal::crypto;
  const ByteView bytes(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)RsaPublicKey::from_spki_der(bytes, RsaOaepHash::kSha256);
  (void)RsaPrivateKey::from_pkcs8_der(bytes, RsaOaepHash::kSha1);
  (void)RsaPublicKey::from_spki_hex(text, RsaOaepHash::kSha1);
  (void)RsaPrivateKey::from_pkcs8_hex(text, RsaOaepHash::kSha256);
  (void)RsaPublicKey::from_pem(text, RsaOaepHash::kSha256);
  (void)RsaPrivateKey::from_pem(text, RsaOaepHash::kSha256);
  auto b = base64_decode(text);
  if (b.ok() && base64_encode(*b) != text) __builtin_trap();  // canonical only
  auto h = hex_decode(text);
  (void)h;
  return 0;
}
