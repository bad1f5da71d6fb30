// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Recovery: a patient's private key exists only on her device. She creates a recovery key (a
// backup of her key pair on the server, encrypted under a key only she holds), then loses the
// device. On a new device with an empty key store, the recovery key restores the key pair and
// she reads her old data again; a wrong recovery key fails with a typed error.
//
//   recovery [path/to/cardinal-devserver]

#include "../common/example_support.hpp"

#include <cardinal/sdk.hpp>

#include <memory>

namespace {

using cardinal::Json;
using example::check;
using example::claim;

cardinal::Result<std::unique_ptr<cardinal::CardinalSdk>> sign_in(const std::string& url,
                                                                  std::shared_ptr<cardinal::keys::KeyStore> store,
                                                                  std::shared_ptr<cardinal::CryptoStrategies> strategies,
                                                                  cardinal::SecretBytes recovery_key = {}) {
  cardinal::SdkOptions o;
  o.base_url = url;
  o.username = "pat";
  o.password = cardinal::SecretBytes::from_string("pat-pw");
  o.key_store = std::move(store);
  o.strategies = std::move(strategies);
  o.recovery_key = std::move(recovery_key);
  return cardinal::CardinalSdk::initialize(std::move(o));
}

std::size_t key_count(cardinal::keys::KeyStore& store) {
  auto keys = store.keys_of("pat-1");
  return keys.ok() ? keys->size() : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string binary = argc > 1 ? argv[1] : CARDINAL_DEVSERVER_PATH;
  std::cout << "cardinal-cpp example: recovery key\n==================================\n\n";
  example::LocalBackend backend;
  if (!backend.start(binary, R"({"users":[
    {"login":"pat","password":"pat-pw","dataOwner":{"type":"patient","id":"pat-1","firstName":"Paula","lastName":"Peeters"}}]})")) {
    std::cerr << "cannot start the local backend (" << binary << ")\n";
    return 1;
  }
  std::cout << "1. A local backend runs at " << backend.url() << ".\n\n";

  std::cout << "2. On her phone, Paula signs in (a key pair is created there) and writes a record.\n";
  auto phone_store = std::make_shared<cardinal::keys::InMemoryKeyStore>();
  auto phone = check(sign_in(backend.url(), phone_store, std::make_shared<cardinal::BasicCryptoStrategies>()),
                     "Paula signs in on her phone");
  auto he = check(phone->health_elements().create(Json{{"descr", "Migraine diary"}, {"note", "Triggers: red wine"}}),
                  "Paula writes a record");
  const std::string id = he.entity["id"];
  std::cout << "   health element " << id << " created, encrypted with her key.\n";
  auto recovery_key = check(phone->crypto().create_recovery_key(), "create the recovery key");
  std::cout << "   She creates a recovery key (" << recovery_key.size()
            << " characters, shown to her once and written down; not printed here).\n"
            << "   The server now holds a backup of her key pair that only this key opens.\n\n";
  phone.reset();

  std::cout << "3. The phone is lost. On a new tablet the key store is empty.\n";
  auto tablet_store = std::make_shared<cardinal::keys::InMemoryKeyStore>();
  // The default strategies create no key for a data owner that already has one (NewKeyPolicy):
  // a new key pair could not open the old data, so a failed restore stays visible.
  auto strategies = std::make_shared<cardinal::BasicCryptoStrategies>();
  auto without = sign_in(backend.url(), tablet_store, strategies);
  std::cout << "   Without a recovery key: "
            << (without.ok() ? "signed in (unexpected)" : without.error().to_string()) << "\n";
  claim(!without.ok() && without.error().code() == cardinal::ErrorCode::kKeyNotAvailable,
        "no key here and none is generated silently: the SDK refuses to start (ErrorCode::kKeyNotAvailable)");

  // A wrong key: the right one with one character changed (the backup it names does not exist).
  std::string wrong_text = std::string(recovery_key.reveal_as_text());
  wrong_text[0] = wrong_text[0] == 'A' ? 'B' : 'A';
  auto wrong = sign_in(backend.url(), tablet_store, strategies, cardinal::SecretBytes::from_string(wrong_text));
  std::fill(wrong_text.begin(), wrong_text.end(), '\0');
  std::cout << "   With a mistyped recovery key: "
            << (wrong.ok() ? "signed in (unexpected)" : wrong.error().to_string()) << "\n";
  claim(!wrong.ok() && wrong.error().code() == cardinal::ErrorCode::kNotFound,
        "a wrong recovery key fails with a typed error (ErrorCode::kNotFound: no backup for it)");
  auto garbage = sign_in(backend.url(), tablet_store, strategies, cardinal::SecretBytes::from_string("not a key!"));
  std::cout << "   With text that is not a recovery key: "
            << (garbage.ok() ? "signed in (unexpected)" : garbage.error().to_string()) << "\n";
  claim(!garbage.ok() && garbage.error().code() == cardinal::ErrorCode::kMalformedInput,
        "malformed text fails with ErrorCode::kMalformedInput");
  claim(key_count(*tablet_store) == 0, "nothing was put in the tablet's key store by the failed attempts");
  std::cout << "\n";

  std::cout << "4. Paula types the right recovery key on the tablet.\n";
  auto tablet = check(sign_in(backend.url(), tablet_store, strategies, std::move(recovery_key)),
                      "Paula restores on the tablet");
  claim(key_count(*tablet_store) == 1, "her key pair is back in the tablet's key store");
  auto old = check(tablet->health_elements().get(id), "Paula reads her old record");
  std::cout << "   She reads: \"" << old.entity.value("descr", "") << "\" — " << old.entity.value("note", "") << "\n";
  claim(old.entity.value("note", "") == "Triggers: red wine", "the record written on the lost phone is readable");
  auto more = check(tablet->health_elements().create(Json{{"descr", "Migraine diary (2)"}}), "Paula writes again");
  claim(more.entity.contains("id"), "and she keeps writing with the same key");

  std::cout << "\nDone: the recovery key restored the lost device's keys; a wrong one was refused.\n";
  return 0;
}
