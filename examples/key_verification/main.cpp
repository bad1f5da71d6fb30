// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Key verification: the server that publishes public keys is not trusted, so the application
// decides which keys are authentic. Dr Alice and Dr Bob each run their own `CryptoStrategies`
// (a custom subclass) backed by the built-in `keys::PinnedKeyVerifier` and a pin file. On first
// use each compares verification codes with the other "by phone" and pins the key; both then see
// the same pair code. Later the database is compromised: an attacker key added to Dr Bob's data
// owner does not match what Bob reads out, so it is refused and never receives anything.
//
//   key_verification [path/to/cardinal-devserver]

#include "../common/example_support.hpp"

#include <cardinal/crypto/rsa.hpp>
#include <cardinal/http/curl_transport.hpp>
#include <cardinal/keys/verification.hpp>
#include <cardinal/sdk.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace {

using cardinal::Json;
using cardinal::keys::PinnedKeyVerifier;
using example::check;
using example::claim;

std::string short_code(const std::string& code) { return code.substr(0, 23) + " …"; }

/// The "phone": each party reads out the verification code of their own key, computed on their
/// own device. Nothing here comes from the server.
class Phone {
 public:
  void register_device(const std::string& owner, std::function<std::string()> own_key) {
    const std::lock_guard lock(mutex_);
    devices_[owner] = std::move(own_key);
  }
  /// What `owner` reads out: the code of the key their device holds (empty if unreachable).
  std::string ask(const std::string& owner) {
    std::function<std::string()> own_key;
    {
      const std::lock_guard lock(mutex_);
      auto it = devices_.find(owner);
      if (it == devices_.end()) return {};
      own_key = it->second;
    }
    const std::string spki = own_key();
    if (spki.empty()) return {};
    return cardinal::keys::verification_code(owner, spki).value_or("");
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::function<std::string()>> devices_;
};

/// An application's own strategies: key generation allowed, no key recovery, and delegate keys
/// accepted only when the verifier (pins + a code comparison) accepts them.
class ComparingStrategies : public cardinal::CryptoStrategies {
 public:
  ComparingStrategies(std::string me, std::shared_ptr<Phone> phone, const std::filesystem::path& pin_file)
      : me_(std::move(me)), phone_(std::move(phone)) {
    verifier_ = check(PinnedKeyVerifier::open(pin_file,
                                              [this](const PinnedKeyVerifier::KeyEvent& e) { return compare(e); }),
                      me_ + "'s pin file");
  }

  cardinal::Result<std::map<std::string, cardinal::RecoveredKeys>> recover_and_verify_self_hierarchy_keys(
      const std::vector<cardinal::SelfKeysStatus>& /*keys*/) override {
    return std::map<std::string, cardinal::RecoveredKeys>{};  // nothing recovered, nothing vouched for
  }
  cardinal::KeyGenerationDecision generate_new_key_for_data_owner(const cardinal::DataOwnerInfo& /*self*/) override {
    return {};  // kAllow
  }
  std::vector<std::string> verify_delegate_public_keys(const cardinal::DataOwnerInfo& delegate,
                                                       const std::vector<std::string>& keys) override {
    return verifier_->verify(delegate.id, keys);
  }
  void notify_new_key_created(const cardinal::crypto::RsaPublicKey& key) override {
    const std::lock_guard lock(mutex_);
    own_key_ = key.spki_hex();
  }

  /// This device's own public key (SPKI hex), as created here.
  std::string own_key() const {
    const std::lock_guard lock(mutex_);
    return own_key_;
  }
  PinnedKeyVerifier& verifier() { return *verifier_; }
  int refused() const { return refused_.load(); }

 private:
  // Called by the verifier for a key it has not pinned: compare the code shown here (computed
  // from the key the server gave) with the one the owner reads out from their own device.
  PinnedKeyVerifier::Decision compare(const PinnedKeyVerifier::KeyEvent& e) {
    const std::string read_out = phone_->ask(e.data_owner_id);
    const bool same = !read_out.empty() && read_out == e.code;
    std::cout << "     " << me_ << "'s app shows the code of " << e.data_owner_id << "'s "
              << (e.owner_has_other_pins ? "NEW (added or changed) key" : "key (first use)") << ": "
              << short_code(e.code) << "\n"
              << "     " << e.data_owner_id << " reads out, by phone, the code of the key on their device: "
              << short_code(read_out) << "\n";
    if (same) {
      std::cout << "     → the codes match: " << me_ << " pins the key\n";
      return PinnedKeyVerifier::Decision::kAccept;
    }
    refused_.fetch_add(1);
    std::cout << "     → the codes DIFFER: " << me_ << " refuses the key\n";
    return PinnedKeyVerifier::Decision::kReject;
  }

  std::string me_;
  std::shared_ptr<Phone> phone_;
  std::shared_ptr<PinnedKeyVerifier> verifier_;
  mutable std::mutex mutex_;
  std::string own_key_;
  std::atomic<int> refused_{0};
};

std::unique_ptr<cardinal::CardinalSdk> sign_in(const std::string& url, const std::string& login,
                                               std::shared_ptr<cardinal::CryptoStrategies> strategies) {
  cardinal::SdkOptions o;
  o.base_url = url;
  o.username = login;
  o.password = cardinal::SecretBytes::from_string(login + "-pw");
  o.key_store = std::make_shared<cardinal::keys::InMemoryKeyStore>();
  o.strategies = std::move(strategies);
  return check(cardinal::CardinalSdk::initialize(std::move(o)), login + " signs in");
}

/// Whether the exchange data behind `delegate`'s delegations on a stored record was encrypted for
/// `key` (looked up by fingerprint in the raw records, as the server holds them).
bool key_received_exchange_key(cardinal::HttpTransport& http, const std::string& url, const std::string& record_path,
                               const std::string& delegate, const std::string& key_fingerprint) {
  const Json stored = example::admin(http, url, "GET", record_path);
  bool found = false;
  for (const auto& [k, d] : stored["securityMetadata"]["secureDelegations"].items()) {
    if (d.value("delegate", "") != delegate) continue;
    const Json ed = example::admin(http, url, "GET", "exchange_data/" + d.value("exchangeDataId", ""));
    found = found || ed.is_null() || ed["exchangeKey"].contains(key_fingerprint);
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string binary = argc > 1 ? argv[1] : CARDINAL_DEVSERVER_PATH;
  std::cout << "cardinal-cpp example: key verification\n======================================\n\n";
  example::LocalBackend backend;
  if (!backend.start(binary, R"({"users":[
    {"login":"alice","password":"alice-pw","dataOwner":{"type":"hcp","id":"hcp-alice","firstName":"Alice","lastName":"Martin"}},
    {"login":"bob","password":"bob-pw","dataOwner":{"type":"hcp","id":"hcp-bob","firstName":"Bob","lastName":"Dupont"}}]})")) {
    std::cerr << "cannot start the local backend (" << binary << ")\n";
    return 1;
  }
  std::cout << "1. A local backend runs at " << backend.url() << ". Dr Alice and Dr Bob sign in, each on their device;\n"
            << "   each app uses its own CryptoStrategies with a pin file (PinnedKeyVerifier).\n";
  const auto dir = std::filesystem::temp_directory_path() / ("cardinal-keyverif-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto phone = std::make_shared<Phone>();
  auto alice_strategies = std::make_shared<ComparingStrategies>("Alice", phone, dir / "alice-pins.json");
  auto bob_strategies = std::make_shared<ComparingStrategies>("Bob", phone, dir / "bob-pins.json");
  // Weak references: the strategies own the phone, so the phone must not own them back.
  phone->register_device("hcp-alice", [w = std::weak_ptr(alice_strategies)] {
    auto s = w.lock();
    return s ? s->own_key() : std::string();
  });
  phone->register_device("hcp-bob", [w = std::weak_ptr(bob_strategies)] {
    auto s = w.lock();
    return s ? s->own_key() : std::string();
  });
  auto alice = sign_in(backend.url(), "alice", alice_strategies);
  auto bob = sign_in(backend.url(), "bob", bob_strategies);
  claim(!alice_strategies->own_key().empty() && !bob_strategies->own_key().empty(),
        "each device created its own key pair (notify_new_key_created); the private keys never leave it");
  std::cout << "\n";

  std::cout << "2. First use. Dr Bob writes a note for Dr Alice; his app meets Alice's key for the first time:\n";
  cardinal::CreateOptions to_alice;
  to_alice.share_with = {{"hcp-alice", cardinal::AccessLevel::kRead}};
  check(bob->health_elements().create(Json{{"descr", "Referral: spirometry"}}, to_alice), "Bob shares with Alice");
  std::cout << "   Dr Alice writes a record for Dr Bob; her app meets Bob's key for the first time:\n";
  cardinal::CreateOptions to_bob;
  to_bob.share_with = {{"hcp-bob", cardinal::AccessLevel::kRead}};
  auto he1 = check(alice->health_elements().create(Json{{"descr", "Spirometry: FEV1 62%"}}, to_bob),
                   "Alice shares with Bob");
  const auto alice_pins_bob = alice_strategies->verifier().pinned("hcp-bob");
  const auto bob_pins_alice = bob_strategies->verifier().pinned("hcp-alice");
  claim(alice_pins_bob.size() == 1 && alice_pins_bob[0] == bob_strategies->own_key(),
        "Alice's pin file holds exactly Bob's real key");
  claim(bob_pins_alice.size() == 1 && bob_pins_alice[0] == alice_strategies->own_key(),
        "Bob's pin file holds exactly Alice's real key");

  // The pair code: one 60-digit number both parties compare, computed on each device from its own
  // key and the key it pinned for the other.
  const auto code_on_alice = check(cardinal::keys::pair_verification_code("hcp-alice", alice_strategies->own_key(),
                                                                          "hcp-bob", alice_pins_bob[0]),
                                   "pair code");
  const auto code_on_bob = check(cardinal::keys::pair_verification_code("hcp-alice", bob_pins_alice[0], "hcp-bob",
                                                                        bob_strategies->own_key()),
                                 "pair code");
  std::cout << "   The pair code both apps show (one number for the two of them, to compare once):\n"
            << "     on Alice's device: " << code_on_alice << "\n"
            << "     on Bob's device:   " << code_on_bob << "\n";
  claim(code_on_alice == code_on_bob, "both devices show the same pair code");
  auto reopened = check(PinnedKeyVerifier::open(dir / "alice-pins.json"), "reopen the pin file");
  claim(reopened->pinned("hcp-bob") == alice_pins_bob,
        "the pin survives a restart (pin file reopened; it holds public keys only)");
  std::cout << "\n";

  std::cout << "3. The server's database is compromised: an attacker adds its own public key to Dr Bob.\n";
  cardinal::CurlTransportOptions topts;
  auto http = check(cardinal::CurlTransport::create(topts), "http");
  auto attacker =
      check(cardinal::crypto::RsaPrivateKey::generate(2048, cardinal::crypto::RsaOaepHash::kSha256), "attacker key");
  Json bob_record = example::admin(*http, backend.url(), "GET", "healthcare_parties/hcp-bob");
  bob_record["publicKeysForOaepWithSha256"].push_back(attacker.public_key().spki_hex());
  example::admin(*http, backend.url(), "PUT", "healthcare_parties/hcp-bob", bob_record);
  std::cout << "   Dr Bob's data owner now lists " << bob_record["publicKeysForOaepWithSha256"].size()
            << " keys. Dr Alice writes another record for Dr Bob:\n";
  const int refused_before = alice_strategies->refused();
  auto he2 = check(alice->health_elements().create(Json{{"descr", "Penicillin allergy"}}, to_bob),
                   "Alice shares after the attack");
  const std::string he2_id = he2.entity["id"];
  std::cout << "   (Alice's verifier was asked about the new key " << alice_strategies->refused() - refused_before
            << " time(s).)\n";
  claim(alice_strategies->verifier().pinned("hcp-bob") == alice_pins_bob, "the attacker key was not pinned");
  auto by_bob = check(bob->health_elements().get(he2_id), "Bob reads the new record");
  claim(by_bob.entity.value("descr", "") == "Penicillin allergy", "Dr Bob, with his real key, reads the new record");
  const bool attacker_got = key_received_exchange_key(*http, backend.url(), "health_elements/" + he2_id, "hcp-bob",
                                                      attacker.public_key().fingerprint_v2());
  claim(!attacker_got, "the exchange data behind Bob's delegation holds no key for the attacker");
  std::cout << "\n";

  std::cout << "4. The attacker replaces all of Dr Bob's keys with its own.\n";
  bob_record["publicKeysForOaepWithSha256"] = Json::array({attacker.public_key().spki_hex()});
  example::admin(*http, backend.url(), "PUT", "healthcare_parties/hcp-bob", bob_record);
  auto refused = alice->health_elements().share(he1.entity["id"], "hcp-bob", cardinal::AccessLevel::kWrite);
  std::cout << "   Alice's share: " << (refused.ok() ? "DONE" : refused.error().to_string()) << "\n";
  claim(!refused.ok() && refused.error().code() == cardinal::ErrorCode::kNoVerifiedKey,
        "the share is refused with ErrorCode::kNoVerifiedKey: no key of Bob's is verified any more");

  std::filesystem::remove_all(dir);
  std::cout << "\nDone: keys were trusted only after comparing codes, and the injected key got nothing.\n";
  return 0;
}
