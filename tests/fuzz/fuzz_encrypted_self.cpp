// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// encryptedSelf decryption with a fixed key, and encryption with a manifest, of arbitrary JSON.
#include <cardinal/crypto/encoding.hpp>

#include "engine/json_encryption.hpp"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardinal;
  static const crypto::AesKey key = crypto::AesKey::create(SecretBytes::zeros(32)).value();
  static const EncryptedFieldsManifest manifest =
      EncryptedFieldsManifest::parse({"descr", "note", "notes[].markdown", "addr.street", "m.*.x", "all[].*"}).value();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto j = parse_json(text);
  if (j.ok()) {
    (void)engine::decrypt_json(*j, {&key});
    auto enc = engine::encrypt_json(*j, key, manifest);
    // What we encrypt, we decrypt (inputs that already carry an encryptedSelf somewhere may hold
    // garbage the manifest does not reach, which then fails to decrypt, as it should).
    if (enc.ok() && text.find("encryptedSelf") == std::string_view::npos) {
      auto dec = engine::decrypt_json(*enc, {&key});
      if (!dec.ok()) std::abort();
    }
  }
  // Raw bytes as an encryptedSelf value.
  Json wrapped = Json{{"encryptedSelf", crypto::base64_encode(ByteView(data, size))}};
  (void)engine::decrypt_json(wrapped, {&key});
  return 0;
}
