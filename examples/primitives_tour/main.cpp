// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// A tour of the primitives layer: the platform's AES-CBC format, RSA-OAEP key kinds and
// fingerprints, HMAC. Prints what it does; never prints key material.

#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>
#include <cardinal/crypto/rsa.hpp>

#include <cstdio>
#include <string>

namespace {
int fail(const cardinal::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.to_string().c_str());
  return 1;
}
}  // namespace

int main() {
  using namespace cardinal;
  using namespace cardinal::crypto;

  std::printf("1. A data owner key pair (RSA-2048, OAEP with SHA-256: the kind new keys have)\n");
  auto owner = RsaPrivateKey::generate(2048, RsaOaepHash::kSha256);
  if (!owner.ok()) return fail(owner.error());
  const auto& pub = owner->public_key();
  std::printf("   public key (SPKI hex) %zu chars, ends with ...%s\n", pub.spki_hex().size(),
              pub.spki_hex().substr(pub.spki_hex().size() - 10).c_str());
  std::printf("   fingerprint v1 %s\n   fingerprint v2 %s\n", pub.fingerprint_v1().c_str(),
              pub.fingerprint_v2().c_str());

  std::printf("2. An entity key, encrypted for the owner (as exchange keys are)\n");
  auto entity_key = AesKey::generate();
  if (!entity_key.ok()) return fail(entity_key.error());
  auto wrapped = pub.encrypt(entity_key->secret().reveal());
  if (!wrapped.ok()) return fail(wrapped.error());
  std::printf("   wrapped key: %zu bytes of RSA-OAEP, base64 %zu chars\n", wrapped->size(),
              base64_encode(*wrapped).size());
  auto unwrapped = owner->decrypt(*wrapped);
  if (!unwrapped.ok()) return fail(unwrapped.error());
  std::printf("   unwrapped by the owner's private key: %s\n",
              *unwrapped == entity_key->secret() ? "same key" : "MISMATCH");

  std::printf("3. A record in the platform format: IV || AES-256-CBC-PKCS7\n");
  const std::string record = R"({"descr":"Hypertension","note":"follow up in 3 months"})";
  auto ct = aes_cbc::encrypt(*entity_key, as_bytes(record));
  if (!ct.ok()) return fail(ct.error());
  std::printf("   %zu plaintext bytes -> %zu ciphertext bytes (encryptedSelf is their base64)\n", record.size(),
              ct->size());
  auto back = aes_cbc::decrypt(*entity_key, *ct);
  if (!back.ok()) return fail(back.error());
  std::printf("   decrypted: %s\n", back->reveal_as_text() == record ? "round trip ok" : "MISMATCH");

  std::printf("4. Tampering is an expected outcome, not a crash\n");
  Bytes tampered = *ct;
  tampered.back() ^= 0x01;
  auto bad = aes_cbc::decrypt(*entity_key, tampered);
  std::printf("   flipped last byte -> %s\n",
              bad.ok() ? "decrypted to different bytes (CBC has no MAC)" : bad.error().to_string().c_str());
  auto other = RsaPrivateKey::generate(2048, RsaOaepHash::kSha256);
  if (!other.ok()) return fail(other.error());
  auto wrong = other->decrypt(*wrapped);
  std::printf("   wrong private key -> %s\n", wrong.ok() ? "UNEXPECTED SUCCESS" : wrong.error().to_string().c_str());

  std::printf("5. HMAC-SHA512 (shared signature keys)\n");
  auto mac_key = HmacKey::generate(HmacHash::kSha512);
  if (!mac_key.ok()) return fail(mac_key.error());
  const Bytes tag = mac_key->sign(as_bytes("exchange data"));
  std::printf("   tag %zu bytes; verify: %s; verify altered data: %s\n", tag.size(),
              mac_key->verify(as_bytes("exchange data"), tag).ok() ? "ok" : "FAILED",
              mac_key->verify(as_bytes("exchange datA"), tag).ok() ? "UNEXPECTED" : "rejected");
  return (wrong.ok() || !(*unwrapped == entity_key->secret())) ? 1 : 0;
}
