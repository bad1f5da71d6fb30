// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// An out-of-tree application built against the installed SDK (find_package(CardinalSdk) and
// Cardinal::sdk), using public headers only. It needs no backend: it encrypts a health element's
// content offline with the platform's manifest, keeps a key pair in an encrypted key store file,
// computes the verification code people compare, and checks that the SDK validates its options.

#include <cardinal/content/entity_content.hpp>
#include <cardinal/keys/key_store.hpp>
#include <cardinal/keys/verification.hpp>
#include <cardinal/sdk.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace {

template <typename T>
T check(cardinal::Result<T> r, const std::string& what) {
  if (!r.ok()) {
    std::cerr << "  ✗ " << what << ": " << r.error().to_string() << "\n";
    std::exit(1);
  }
  return std::move(r).value();
}

void claim(bool holds, const std::string& text) {
  std::cout << "  " << (holds ? "✓ " : "✗ FALSE: ") << text << "\n";
  if (!holds) std::exit(1);
}

}  // namespace

int main() {
  std::cout << "A consumer of the installed cardinal-cpp package\n";

  // 1. Offline entity content encryption (the platform's encryptedSelf format).
  const cardinal::Json clear = {{"id", "he-1"}, {"descr", "Asthma"}, {"note", "Inhaler twice a day"}};
  auto manifest = check(cardinal::EncryptedFieldsManifest::platform_default("HealthElement"), "manifest");
  auto key = check(cardinal::crypto::AesKey::generate(), "entity key");
  auto encrypted = check(cardinal::encrypt_entity_content(clear, key, manifest), "encrypt");
  claim(encrypted.contains("encryptedSelf") && encrypted.dump().find("Inhaler") == std::string::npos,
        "the health element's content is encrypted into encryptedSelf");
  std::vector<cardinal::crypto::AesKey> keys;
  keys.push_back(std::move(key));
  auto decrypted = check(cardinal::decrypt_entity_content(encrypted, keys), "decrypt");
  claim(decrypted.value("note", "") == "Inhaler twice a day", "and decrypts back with the entity key");

  // 2. A key pair in an encrypted key store file, and its verification code.
  const auto path = std::filesystem::temp_directory_path() / ("consumer-" + std::to_string(getpid()) + ".keys");
  cardinal::keys::ScryptParams cheap;
  cheap.log2_n = 10;  // fast for this demo; keep the default cost for real key stores
  auto rsa = check(cardinal::crypto::RsaPrivateKey::generate(2048, cardinal::crypto::RsaOaepHash::kSha256), "RSA key");
  {
    auto store = check(cardinal::keys::EncryptedFileKeyStore::open(
                           path, cardinal::SecretBytes::from_string("correct horse"), cheap),
                       "key store");
    auto put = store->put("hcp-me", rsa, true);
    claim(put.ok(), "a key pair is stored in an encrypted key store file");
  }
  auto wrong = cardinal::keys::EncryptedFileKeyStore::open(path, cardinal::SecretBytes::from_string("wrong"), cheap);
  claim(!wrong.ok() && wrong.error().code() == cardinal::ErrorCode::kUnauthenticated,
        "the wrong passphrase does not open it (ErrorCode::kUnauthenticated)");
  std::filesystem::remove(path);
  auto code = check(cardinal::keys::verification_code("hcp-me", rsa.public_key().spki_hex()), "code");
  std::cout << "  verification code of the key: " << code << "\n";
  claim(code.size() == 71, "it has 12 groups of 5 digits");

  // 3. The SDK entry point links and validates its options before any network access.
  cardinal::SdkOptions options;
  options.base_url = "http://127.0.0.1:1";
  auto sdk = cardinal::CardinalSdk::initialize(std::move(options));
  claim(!sdk.ok() && sdk.error().code() == cardinal::ErrorCode::kInvalidArgument,
        "CardinalSdk::initialize without a key store or strategies: ErrorCode::kInvalidArgument");

  std::cout << "Done: the installed package works from an out-of-tree project.\n";
  return 0;
}
