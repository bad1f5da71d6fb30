// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Key verification: a custom CryptoStrategies that consults the built-in PinnedKeyVerifier and
// asks "the user" to compare verification codes; then an attacker key injected into Dr Bob's
// data owner is refused, and a replaced key stops the share.
//   key_verification [path/to/cardinal-devserver]

#include <cardinal/crypto/rsa.hpp>
#include <cardinal/curl_transport.hpp>
#include <cardinal/keys/verification.hpp>
#include <cardinal/sdk.hpp>

#include "../common/local_backend.hpp"

#include <iostream>

namespace {

using cardinal::Json;

// An application's own strategies: delegate keys go through the pinned verifier, whose callback
// shows the verification code to the user (here: prints it and accepts first-use keys only).
class ClinicStrategies : public cardinal::BasicCryptoStrategies {
 public:
  explicit ClinicStrategies(std::shared_ptr<cardinal::keys::PinnedKeyVerifier> v) : verifier_(std::move(v)) {}
  std::vector<std::string> verify_delegate_public_keys(const cardinal::DataOwnerInfo& delegate,
                                                       const std::vector<std::string>& keys) override {
    ++calls;
    return verifier_->verify(delegate.id, keys);
  }
  int calls = 0;

 private:
  std::shared_ptr<cardinal::keys::PinnedKeyVerifier> verifier_;
};

std::unique_ptr<cardinal::CardinalSdk> sign_in(const std::string& url, const std::string& login,
                                               std::shared_ptr<cardinal::CryptoStrategies> strategies) {
  cardinal::SdkOptions o;
  o.base_url = url;
  o.username = login;
  o.password = cardinal::SecretBytes::from_string(login + "-pw");
  o.key_store = std::make_shared<cardinal::keys::InMemoryKeyStore>();
  o.strategies = std::move(strategies);
  auto sdk = cardinal::CardinalSdk::initialize(std::move(o));
  if (!sdk.ok()) {
    std::cerr << login << ": " << sdk.error().to_string() << "\n";
    std::exit(1);
  }
  return std::move(sdk).value();
}

int fail(const std::string& what) {
  std::cerr << "✗ " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  examples::LocalBackend backend;
  if (!backend.start(argc > 1 ? argv[1] : CARDINAL_DEVSERVER_PATH)) return fail("cannot start the local backend");
  const std::string pins = "/tmp/cardinal-example-pins-" + std::to_string(getpid()) + ".json";
  auto verifier =
      cardinal::keys::PinnedKeyVerifier::open(pins, [](const cardinal::keys::PinnedKeyVerifier::KeyEvent& e) {
        if (e.owner_has_other_pins) {
          std::cout << "  ✗ " << e.data_owner_id << " shows a key that differs from the pinned one: refused\n";
          return cardinal::keys::PinnedKeyVerifier::Decision::kReject;
        }
        std::cout << "  ✓ first contact with " << e.data_owner_id << ": code " << e.code << "\n"
                  << "    read aloud and matched on the phone — pinned\n";
        return cardinal::keys::PinnedKeyVerifier::Decision::kAccept;
      });
  if (!verifier.ok()) return fail(verifier.error().to_string());
  auto strategies = std::make_shared<ClinicStrategies>(*verifier);
  auto alice = sign_in(backend.url(), "alice", strategies);
  auto bob = sign_in(backend.url(), "bob", std::make_shared<cardinal::BasicCryptoStrategies>());

  const std::string alice_key = alice->crypto().verified_public_keys().front();
  const std::string bob_key = bob->crypto().verified_public_keys().front();
  auto pair = cardinal::keys::pair_verification_code("hcp-alice", alice_key, "hcp-bob", bob_key);
  std::cout << "Alice and Bob both see the pair code:\n  " << pair.value_or("?") << "\n\n";

  std::cout << "1. Alice shares a record with Bob for the first time:\n";
  cardinal::CreateOptions to_bob;
  to_bob.share_with = {{"hcp-bob", cardinal::AccessLevel::kRead}};
  auto first = alice->health_elements().create(Json{{"descr", "first record"}}, to_bob);
  if (!first.ok()) return fail(first.error().to_string());
  if (!bob->health_elements().get(first->entity["id"]).ok()) return fail("Bob cannot read the first record");
  std::cout << "  Bob reads it.\n\n";

  std::cout << "2. The database is compromised: an attacker key is added to Bob's data owner.\n";
  auto http = cardinal::CurlTransport::create().value();
  auto attacker = cardinal::crypto::RsaPrivateKey::generate(2048, cardinal::crypto::RsaOaepHash::kSha256).value();
  Json record = backend.admin(*http, "GET", "healthcare_parties/hcp-bob");
  record["publicKeysForOaepWithSha256"].push_back(attacker.public_key().spki_hex());
  backend.admin(*http, "PUT", "healthcare_parties/hcp-bob", record);
  // New exchange data is needed only when Alice creates it again (e.g. a new device): simulate
  // with a fresh SDK for Alice that keeps the pins.
  auto alice2 = sign_in(backend.url(), "alice", strategies);
  auto second = alice2->health_elements().create(Json{{"descr", "second record"}}, to_bob);
  if (!second.ok()) return fail(second.error().to_string());
  const Json stored = backend.admin(*http, "GET", "health_elements/" + second->entity["id"].get<std::string>());
  for (const auto& [key, d] : stored["securityMetadata"]["secureDelegations"].items()) {
    if (d.value("delegate", "") != "hcp-bob") continue;
    const Json ed = backend.admin(*http, "GET", "exchange_data/" + d.value("exchangeDataId", ""));
    if (ed.is_null() || ed["exchangeKey"].contains(attacker.public_key().fingerprint_v2())) {
      return fail("the attacker key received the exchange key");
    }
  }
  if (!bob->health_elements().get(second->entity["id"]).ok()) return fail("Bob cannot read the second record");
  std::cout << "  The share went to Bob's pinned key only; Bob reads it; the attacker key got nothing.\n\n";

  std::cout << "3. The attacker replaces all of Bob's keys.\n";
  record["publicKeysForOaepWithSha256"] = Json::array({attacker.public_key().spki_hex()});
  backend.admin(*http, "PUT", "healthcare_parties/hcp-bob", record);
  auto refused = alice2->health_elements().share(first->entity["id"], "hcp-bob", cardinal::AccessLevel::kWrite);
  std::remove(pins.c_str());
  if (refused.ok() || refused.error().code() != cardinal::ErrorCode::kNoVerifiedKey)
    return fail("the share was not refused");
  std::cout << "  Refused: " << refused.error().to_string() << "\n\n";
  std::cout << "key_verification: only verified keys received data (" << strategies->calls << " verification calls).\n";
  return 0;
}
