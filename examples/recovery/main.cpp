// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Recovery: Dr Alice backs up her key with a recovery key, loses her device, and restores her
// keys on a new one with the recovery key alone; a wrong recovery key fails cleanly.
//   recovery [path/to/cardinal-devserver]

#include <cardinal/sdk.hpp>

#include "../common/local_backend.hpp"

#include <iostream>

namespace {

cardinal::Result<std::unique_ptr<cardinal::CardinalSdk>> device(const std::string& url,
                                                                std::shared_ptr<cardinal::keys::KeyStore> store,
                                                                cardinal::SecretBytes recovery_key = {}) {
  cardinal::SdkOptions o;
  o.base_url = url;
  o.username = "alice";
  o.password = cardinal::SecretBytes::from_string("alice-pw");
  o.key_store = std::move(store);
  o.strategies = std::make_shared<cardinal::BasicCryptoStrategies>();
  o.recovery_key = std::move(recovery_key);
  return cardinal::CardinalSdk::initialize(std::move(o));
}

}  // namespace

int main(int argc, char** argv) {
  examples::LocalBackend backend;
  if (!backend.start(argc > 1 ? argv[1] : CARDINAL_DEVSERVER_PATH)) return 1;

  std::string id;
  cardinal::SecretBytes recovery_key;
  {
    auto phone = device(backend.url(), std::make_shared<cardinal::keys::InMemoryKeyStore>());
    if (!phone.ok()) return 1;
    auto he = (*phone)->health_elements().create(cardinal::Json{{"descr", "Hypertension, follow-up in June"}});
    if (!he.ok()) return 1;
    id = he->entity["id"];
    auto key = (*phone)->crypto().create_recovery_key();
    if (!key.ok()) return 1;
    recovery_key = *key;
    std::cout << "1. On her phone, Alice writes a record and creates a recovery key.\n"
              << "   The app shows it once (52 base32 characters in groups of 4) for her to write down.\n";
  }
  std::cout << "2. The phone is lost. A new device starts with an empty key store.\n";
  auto wrong =
      device(backend.url(), std::make_shared<cardinal::keys::InMemoryKeyStore>(),
             cardinal::SecretBytes::from_string("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH-2222-3333-4444-5555-6666"));
  if (wrong.ok()) return 1;
  std::cout << "   A mistyped recovery key: " << wrong.error().to_string() << "\n";
  auto store = std::make_shared<cardinal::keys::InMemoryKeyStore>();
  auto laptop = device(backend.url(), store, recovery_key);
  if (!laptop.ok()) {
    std::cerr << laptop.error().to_string() << "\n";
    return 1;
  }
  auto he = (*laptop)->health_elements().get(id);
  if (!he.ok()) return 1;
  std::cout << "3. With the right recovery key her key pair is restored (" << store->keys_of("hcp-alice")->size()
            << " key, no new one created) and she reads: \"" << he->entity["descr"].get<std::string>() << "\"\n";
  if ((*laptop)->crypto().verified_public_keys().size() != 1) return 1;
  std::cout << "recovery: keys restored on a new device from the recovery key alone.\n";
  return 0;
}
