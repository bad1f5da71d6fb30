// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// An out-of-tree program using the installed SDK: offline encryption of one record with the
// platform's HealthElement manifest, then decryption.
#include <cardinal/crypto/aes.hpp>
#include <cardinal/entity_content.hpp>

#include <iostream>

int main() {
  auto key = cardinal::crypto::AesKey::generate();
  auto manifest = cardinal::EncryptedFieldsManifest::platform_default("HealthElement");
  if (!key.ok() || !manifest.ok()) return 1;
  const cardinal::Json record = {{"id", "he-1"}, {"descr", "Asthma"}, {"codes", cardinal::Json::array()}};
  auto encrypted = cardinal::encrypt_entity_content(record, *key, *manifest);
  if (!encrypted.ok() || encrypted->contains("descr")) return 1;
  auto decrypted = cardinal::decrypt_entity_content(*encrypted, {*key});
  if (!decrypted.ok() || (*decrypted)["descr"] != "Asthma") return 1;
  std::cout << "find_package_consumer: encrypted and decrypted with the installed Cardinal::sdk\n";
  return 0;
}
