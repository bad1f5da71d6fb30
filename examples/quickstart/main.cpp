// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Quickstart: a local Cardinal backend, two doctors and a patient. Dr Alice writes a medical
// record, shares it with Dr Bob and with the patient; they decrypt it; the server only ever holds
// ciphertext. Then the server's database is "compromised": an attacker key is added to Dr Bob's
// data owner, and Alice's key verification refuses it.
//
//   quickstart [path/to/cardinal-devserver]

#include "../common/example_support.hpp"

#include <cardinal/crypto/rsa.hpp>
#include <cardinal/http/curl_transport.hpp>
#include <cardinal/keys/verification.hpp>
#include <cardinal/sdk.hpp>

#include <cstdio>
#include <iostream>
#include <string>

namespace {

using cardinal::Json;
using example::admin;
using example::check;

std::unique_ptr<cardinal::CardinalSdk> sign_in(const std::string& url, const std::string& login,
                                               std::shared_ptr<cardinal::CryptoStrategies> strategies) {
  cardinal::SdkOptions o;
  o.base_url = url;
  o.username = login;
  o.password = cardinal::SecretBytes::from_string(login + "-pw");
  o.key_store = std::make_shared<cardinal::keys::InMemoryKeyStore>();
  o.strategies = std::move(strategies);
  o.on_tamper = [login](const cardinal::TamperReport& t) {
    std::cout << "     ! " << login << "'s SDK reports tampering on " << t.record_kind << " " << t.record_id << ": "
              << t.error.message() << "\n";
  };
  return check(cardinal::CardinalSdk::initialize(std::move(o)), login + " signs in");
}

std::string short_code(const std::string& code) { return code.substr(0, 23) + " …"; }

}  // namespace

int main(int argc, char** argv) {
  std::string binary = argc > 1 ? argv[1] : CARDINAL_DEVSERVER_PATH;
  std::cout << "cardinal-cpp quickstart\n=======================\n\n";
  example::LocalBackend backend;
  if (!backend.start(binary, R"({"users":[
    {"login":"alice","password":"alice-pw","dataOwner":{"type":"hcp","id":"hcp-alice","firstName":"Alice","lastName":"Martin"}},
    {"login":"bob","password":"bob-pw","dataOwner":{"type":"hcp","id":"hcp-bob","firstName":"Bob","lastName":"Dupont"}},
    {"login":"pat","password":"pat-pw","dataOwner":{"type":"patient","id":"pat-1","firstName":"Paula","lastName":"Peeters"}}]})")) {
    std::cerr << "cannot start the local backend (" << binary << ")\n";
    return 1;
  }
  std::cout << "1. A local Cardinal backend runs at " << backend.url() << " (cardinal-devserver).\n\n";

  // Dr Alice verifies her colleagues' keys out of band: on first use she compares the
  // verification code with them by phone; a key that changes later is refused.
  auto pins_path = "/tmp/cardinal-quickstart-pins-" + std::to_string(getpid()) + ".json";
  auto verifier = check(cardinal::keys::PinnedKeyVerifier::open(
                            pins_path,
                            [](const cardinal::keys::PinnedKeyVerifier::KeyEvent& e) {
                              if (e.owner_has_other_pins) {
                                std::cout << "     ✗ Alice's verifier: " << e.data_owner_id
                                          << " suddenly has another key (code " << short_code(e.code)
                                          << ") — REFUSED, nobody verified it\n";
                                return cardinal::keys::PinnedKeyVerifier::Decision::kReject;
                              }
                              std::cout << "     ✓ Alice compares the code of " << e.data_owner_id
                                        << "'s key by phone: " << short_code(e.code) << " matches — pinned\n";
                              return cardinal::keys::PinnedKeyVerifier::Decision::kAccept;
                            }),
                        "pin file");
  std::cout
      << "2. Everyone signs in; each SDK creates an RSA-2048 key pair on this device and publishes the public key.\n";
  auto alice = sign_in(backend.url(), "alice", std::make_shared<cardinal::keys::PinningCryptoStrategies>(verifier));
  auto bob = sign_in(backend.url(), "bob", std::make_shared<cardinal::BasicCryptoStrategies>());
  auto pat = sign_in(backend.url(), "pat", std::make_shared<cardinal::BasicCryptoStrategies>());
  std::cout << "   Dr Alice (hcp-alice), Dr Bob (hcp-bob) and the patient Paula (pat-1) are ready.\n\n";

  std::cout << "3. Dr Alice writes Paula's health record and shares it with Dr Bob (read) and with Paula.\n";
  cardinal::CreateOptions options;
  options.owning_entity_id = "pat-1";
  options.share_with = {{"hcp-bob", cardinal::AccessLevel::kRead}, {"pat-1", cardinal::AccessLevel::kRead}};
  auto he = check(alice->health_elements().create(
                      Json{{"descr", "Severe asthma"}, {"note", "Inhaler twice a day; avoid beta blockers"}}, options),
                  "Alice creates and shares the record");
  const std::string id = he.entity["id"];
  std::cout << "   health element " << id << " created.\n\n";

  cardinal::CurlTransportOptions topts;
  auto http = check(cardinal::CurlTransport::create(topts), "http");
  const Json stored = admin(*http, backend.url(), "GET", "health_elements/" + id);
  const std::string stored_text = stored.dump();
  std::cout << "4. What the server stores (its database could leak):\n"
            << "   encryptedSelf = " << stored.value("encryptedSelf", "").substr(0, 44) << "…\n"
            << "   secure delegations: " << stored["securityMetadata"]["secureDelegations"].size()
            << "; the words \"asthma\" or \"inhaler\" in the record: "
            << (stored_text.find("sthma") == std::string::npos && stored_text.find("nhaler") == std::string::npos
                    ? "none"
                    : "FOUND")
            << "\n\n";

  std::cout << "5. Each reader decrypts on their own device.\n";
  auto by_bob = check(bob->health_elements().get(id), "Bob reads");
  std::cout << "   Dr Bob reads:  \"" << by_bob.entity["descr"].get<std::string>() << "\" — "
            << by_bob.entity["note"].get<std::string>() << (by_bob.can_write ? " (can write)" : " (read only)") << "\n";
  (void)pat->crypto().reload();
  auto by_pat = check(pat->health_elements().get(id), "Paula reads");
  std::cout << "   Paula reads:   \"" << by_pat.entity["descr"].get<std::string>()
            << "\" (her delegation is anonymous: the server never sees her id in it)\n\n";

  std::cout << "6. The server's database is compromised: an attacker adds its own public key to Dr Bob.\n";
  auto attacker = check(cardinal::crypto::RsaPrivateKey::generate(2048, cardinal::crypto::RsaOaepHash::kSha256), "key");
  Json bob_record = admin(*http, backend.url(), "GET", "healthcare_parties/hcp-bob");
  bob_record["publicKeysForOaepWithSha256"].push_back(attacker.public_key().spki_hex());
  admin(*http, backend.url(), "PUT", "healthcare_parties/hcp-bob", bob_record);
  std::cout << "   Dr Bob's data owner now lists " << bob_record["publicKeysForOaepWithSha256"].size() << " keys.\n";
  std::cout << "   Dr Alice writes a new record for Dr Bob:\n";
  cardinal::CreateOptions to_bob;
  to_bob.share_with = {{"hcp-bob", cardinal::AccessLevel::kRead}};
  auto he2 = check(alice->health_elements().create(Json{{"descr", "Penicillin allergy"}}, to_bob),
                   "Alice shares after the attack");
  auto by_bob2 = check(bob->health_elements().get(he2.entity["id"]), "Bob reads the new record");
  std::cout << "   Dr Bob still reads it: \"" << by_bob2.entity["descr"].get<std::string>() << "\"\n";
  // Check it on the server: the exchange data behind Bob's delegation holds no entry for the attacker.
  const Json stored2 = admin(*http, backend.url(), "GET", "health_elements/" + he2.entity["id"].get<std::string>());
  bool attacker_got_something = false;
  for (const auto& [key, d] : stored2["securityMetadata"]["secureDelegations"].items()) {
    if (d.value("delegate", "") != "hcp-bob") continue;
    const Json ed = admin(*http, backend.url(), "GET", "exchange_data/" + d.value("exchangeDataId", ""));
    attacker_got_something =
        attacker_got_something || ed.is_null() || ed["exchangeKey"].contains(attacker.public_key().fingerprint_v2());
  }
  std::cout << "   The attacker's key " << (attacker_got_something ? "RECEIVED A KEY (bug!)" : "received nothing")
            << ": new exchange data is encrypted only for keys Alice verified.\n\n";
  if (attacker_got_something) return 1;

  std::cout << "7. The attacker now replaces all of Dr Bob's keys.\n";
  bob_record["publicKeysForOaepWithSha256"] = Json::array({attacker.public_key().spki_hex()});
  admin(*http, backend.url(), "PUT", "healthcare_parties/hcp-bob", bob_record);
  auto refused = alice->health_elements().share(id, "hcp-bob", cardinal::AccessLevel::kWrite);
  std::cout << "   Alice's share: " << (refused.ok() ? "DONE (unexpected!)" : refused.error().to_string()) << "\n\n";
  std::remove(pins_path.c_str());
  if (refused.ok() || refused.error().code() != cardinal::ErrorCode::kNoVerifiedKey) return 1;
  std::cout << "Done: data was shared only with verified keys, and the server never saw it in clear.\n";
  return 0;
}
