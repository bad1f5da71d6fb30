// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Key store file parsing: any byte string is a typed error or a decoded store, never a crash.
#include <cardinal/keys/key_store.hpp>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cardinal::SecretBytes passphrase = cardinal::SecretBytes::from_string("fuzz");
  (void)cardinal::keys::EncryptedFileKeyStore::decode(cardinal::ByteView(data, size), passphrase);
  return 0;
}
