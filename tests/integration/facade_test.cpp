// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The public API (CardinalSdk over CurlTransport) against a real devserver: a full session,
// lossless JSON, logs free of secrets, concurrent use, and a new device restoring its keys.

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/keys/verification.hpp>
#include <cardinal/logging.hpp>
#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

namespace cardinal {
namespace {

class CapturingSink : public LogSink {
 public:
  void log(LogLevel /*level*/, std::string_view message) override {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(message);
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

Result<std::unique_ptr<CardinalSdk>> sign_in(const testing::DevServer& server, const std::string& login,
                                             std::shared_ptr<keys::KeyStore> store = nullptr,
                                             std::shared_ptr<CryptoStrategies> strategies = nullptr) {
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = login;
  o.password = SecretBytes::from_string("pw");
  o.key_store = store ? store : std::make_shared<keys::InMemoryKeyStore>();
  o.strategies = strategies ? strategies : std::make_shared<BasicCryptoStrategies>();
  return CardinalSdk::initialize(std::move(o));
}

TEST(Facade, OptionsAreValidated) {
  SdkOptions o;
  EXPECT_ERROR_CODE(CardinalSdk::initialize(o), ErrorCode::kInvalidArgument);
  o.base_url = "http://127.0.0.1:1";
  o.username = "x";
  EXPECT_ERROR_CODE(CardinalSdk::initialize(o), ErrorCode::kInvalidArgument);  // no key store
  o.key_store = std::make_shared<keys::InMemoryKeyStore>();
  // No strategies: refused before any network call (nothing listens on that port anyway).
  EXPECT_ERROR_CODE(CardinalSdk::initialize(o), ErrorCode::kInvalidArgument);
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  EXPECT_ERROR_CODE(CardinalSdk::initialize(o), ErrorCode::kTransport);  // now it does try to connect
}

TEST(Facade, SessionLogsNoSecretAndKeepsUnknownFields) {
  testing::DevServer server;
  auto sink = std::make_shared<CapturingSink>();
  set_log_sink(sink, LogLevel::kTrace);
  auto alice = sign_in(server, "alice");
  ASSERT_OK(alice);
  auto bob = sign_in(server, "bob");
  ASSERT_OK(bob);
  auto bad = sign_in(server, "carol-does-not-exist");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kUnauthenticated);

  CreateOptions share;
  share.share_with = {{"hcp-bob", AccessLevel::kWrite}};
  auto he = (*alice)->health_elements().create(
      parse_json(R"({"descr":"Diabetes type 2","note":"metformin","customField":{"kept":[1,"two",3.5]},"codes":[]})")
          .value(),
      share);
  ASSERT_OK(he);
  EXPECT_EQ(he->entity["customField"]["kept"][1], "two");
  // get → modify → put keeps the unknown field.
  auto got = (*bob)->health_elements().get(he->entity["id"]);
  ASSERT_OK(got);
  EXPECT_TRUE(got->can_write);
  EXPECT_EQ(got->provenance, Provenance::kUnverified);  // shared by alice: origin not provable
  Json changed = got->entity;
  changed["note"] = "metformin 500 mg";
  // Writing under a key that came from another data owner needs the app's explicit acceptance.
  EXPECT_ERROR_CODE((*bob)->health_elements().modify(changed), ErrorCode::kNoVerifiedKey);
  auto accepted = (*bob)->health_elements().accept_shared_key(he->entity["id"]);
  ASSERT_OK(accepted);
  EXPECT_EQ(accepted->provenance, Provenance::kVerified);
  changed = accepted->entity;
  changed["note"] = "metformin 500 mg";
  auto saved = (*bob)->health_elements().modify(changed);
  ASSERT_OK(saved);
  auto again = (*alice)->health_elements().get(he->entity["id"]);
  ASSERT_OK(again);
  EXPECT_EQ(again->entity["note"], "metformin 500 mg");
  EXPECT_EQ(again->entity["customField"], parse_json(R"({"kept":[1,"two",3.5]})").value());
  ASSERT_OK((*alice)->health_elements().remove(he->entity["id"]));
  set_log_sink(nullptr, LogLevel::kWarn);

  const auto lines = sink->lines();
  EXPECT_FALSE(lines.empty());  // the session did log (requests at debug level)
  std::vector<std::string> secrets = {"\"pw\"", "Diabetes", "metformin", "eyJ"};
  for (const auto& spki : (*alice)->crypto().verified_public_keys()) secrets.push_back(spki.substr(100, 40));
  for (const auto& k : (*alice)->crypto().access_control_keys("HealthElement"))
    secrets.push_back(crypto::hex_encode(k.reveal()));
  for (const auto& line : lines) {
    for (const auto& s : secrets) EXPECT_EQ(line.find(s), std::string::npos) << "log line leaks: " << line;
  }
}

TEST(Facade, ConcurrentUseFromEightThreads) {
  testing::DevServer server;
  auto alice = sign_in(server, "alice");
  auto bob = sign_in(server, "bob");
  ASSERT_OK(alice);
  ASSERT_OK(bob);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        CreateOptions share;
        share.share_with = {{"hcp-bob", AccessLevel::kRead}};
        auto he = (*alice)->health_elements().create(Json{{"descr", "t" + std::to_string(t) + "-" + std::to_string(i)}},
                                                     share);
        if (!he.ok()) continue;
        auto read = (*bob)->health_elements().get(he->entity["id"]);
        if (read.ok() && read->entity["descr"] == he->entity["descr"]) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 40);
}

TEST(Facade, NewDeviceRestoresKeysFromItsKeyStoreFile) {
  testing::DevServer server;
  char dir_template[] = "/tmp/cardinal-device-XXXXXX";
  const std::filesystem::path dir = mkdtemp(dir_template);
  const auto pass = SecretBytes::from_string("device passphrase");
  std::string id;
  {
    auto store = keys::EncryptedFileKeyStore::open(dir / "alice.cks", pass, keys::ScryptParams{10, 8, 1});
    ASSERT_OK(store);
    auto alice = sign_in(server, "alice", *store);
    ASSERT_OK(alice);
    auto he = (*alice)->health_elements().create(Json{{"descr", "kept across devices"}});
    ASSERT_OK(he);
    id = he->entity["id"];
  }
  // Same key store file, new SDK instance: no new key, old data readable.
  auto store = keys::EncryptedFileKeyStore::open(dir / "alice.cks", pass, keys::ScryptParams{10, 8, 1});
  ASSERT_OK(store);
  auto alice2 = sign_in(server, "alice", *store);
  ASSERT_OK(alice2);
  EXPECT_EQ((*alice2)->crypto().verified_public_keys().size(), 1u);
  auto he = (*alice2)->health_elements().get(id);
  ASSERT_OK(he);
  EXPECT_EQ(he->entity["descr"], "kept across devices");
  // A device without the keys gets no silent new key (NewDeviceWithoutKeysIsToldTheWaysForward);
  // with the explicit opt-in it creates a second key, and still cannot read the old data.
  EXPECT_ERROR_CODE(sign_in(server, "alice"), ErrorCode::kKeyNotAvailable);
  auto fresh = sign_in(server, "alice", nullptr, std::make_shared<BasicCryptoStrategies>(NewKeyPolicy::kAlways));
  ASSERT_OK(fresh);
  EXPECT_FALSE((*fresh)->health_elements().get(id).ok());
  std::filesystem::remove_all(dir);
}

// Issue 14 §5: a second device signing in without the key store or recovery key must not publish
// a new key pair silently, with the default strategies nor with the pinning ones.
TEST(Facade, NewDeviceWithoutKeysIsToldTheWaysForward) {
  testing::DevServer server;
  auto first_store = std::make_shared<keys::InMemoryKeyStore>();
  std::string id;
  {
    auto alice = sign_in(server, "alice", first_store);
    ASSERT_OK(alice);
    auto he = (*alice)->health_elements().create(Json{{"descr", "first device"}});
    ASSERT_OK(he);
    id = he->entity["id"];
  }
  char dir_template[] = "/tmp/cardinal-pins-XXXXXX";
  const std::filesystem::path dir = mkdtemp(dir_template);
  auto verifier = keys::PinnedKeyVerifier::open(dir / "pins.json");
  ASSERT_OK(verifier);
  std::vector<std::shared_ptr<CryptoStrategies>> recommended = {
      std::make_shared<BasicCryptoStrategies>(), std::make_shared<keys::PinningCryptoStrategies>(*verifier)};
  for (const auto& strategies : recommended) {
    auto second = sign_in(server, "alice", nullptr, strategies);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code(), ErrorCode::kKeyNotAvailable);
    const std::string& msg = second.error().message();
    for (const char* way : {"recovery key", "key store", "another device", "NewKeyPolicy::kAlways"}) {
      EXPECT_NE(msg.find(way), std::string::npos) << way << " missing from: " << msg;
    }
  }
  // Nothing was published: the first device sees no key it does not hold, and reads its data.
  struct Recording : BasicCryptoStrategies {
    std::size_t unavailable = 0;
    Result<std::map<std::string, RecoveredKeys>> recover_and_verify_self_hierarchy_keys(
        const std::vector<SelfKeysStatus>& keys) override {
      for (const auto& k : keys) unavailable += k.unavailable_keys.size();
      return std::map<std::string, RecoveredKeys>{};
    }
  };
  auto recording = std::make_shared<Recording>();
  auto first = sign_in(server, "alice", first_store, recording);
  ASSERT_OK(first);
  EXPECT_EQ(recording->unavailable, 0u);
  ASSERT_OK((*first)->health_elements().get(id));
  // A data owner without any key (first sign-in) still gets one by default.
  auto bob = sign_in(server, "bob", nullptr, std::make_shared<keys::PinningCryptoStrategies>(*verifier));
  ASSERT_OK(bob);
  EXPECT_EQ((*bob)->crypto().verified_public_keys().size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(Facade, RecoveryKeyRestoresKeysOnANewDevice) {
  testing::DevServer server;
  std::string id;
  SecretBytes recovery;
  {
    auto alice = sign_in(server, "alice");
    ASSERT_OK(alice);
    auto he = (*alice)->health_elements().create(Json{{"descr", "before the phone was lost"}});
    ASSERT_OK(he);
    id = he->entity["id"];
    auto key = (*alice)->crypto().create_recovery_key();
    ASSERT_OK(key);
    recovery = *key;
    EXPECT_EQ(std::count(recovery.reveal_as_text().begin(), recovery.reveal_as_text().end(), '-'), 12);
  }
  // New device: empty key store, the recovery key the user wrote down.
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = "alice";
  o.password = SecretBytes::from_string("pw");
  auto store = std::make_shared<keys::InMemoryKeyStore>();
  o.key_store = store;
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  o.recovery_key = recovery;
  auto restored = CardinalSdk::initialize(o);
  ASSERT_OK(restored);
  EXPECT_EQ((*restored)->crypto().verified_public_keys().size(), 1u);  // the old key, no new one
  auto he = (*restored)->health_elements().get(id);
  ASSERT_OK(he);
  EXPECT_EQ(he->entity["descr"], "before the phone was lost");
  // A wrong recovery key finds nothing.
  o.key_store = std::make_shared<keys::InMemoryKeyStore>();
  o.recovery_key = SecretBytes::from_string("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA");
  auto wrong = CardinalSdk::initialize(o);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kNotFound);
}

TEST(Facade, KeyRotationKeepsOldDataReadableWithTheNewKeyAlone) {
  testing::DevServer server;
  auto store = std::make_shared<keys::InMemoryKeyStore>();
  auto alice = sign_in(server, "alice", store);
  auto bob = sign_in(server, "bob");
  ASSERT_OK(alice);
  ASSERT_OK(bob);
  CreateOptions share;
  share.share_with = {{"hcp-bob", AccessLevel::kRead}};
  auto he = (*alice)->health_elements().create(Json{{"descr", "old data"}}, share);
  ASSERT_OK(he);
  auto new_key = (*alice)->crypto().rotate_key();
  ASSERT_OK(new_key);
  // A device holding only the new key.
  auto only_new = std::make_shared<keys::InMemoryKeyStore>();
  for (const auto& k : store->keys_of("hcp-alice").value()) {
    if (k.key.public_key().spki_hex() == *new_key) ASSERT_OK(only_new->put("hcp-alice", k.key, true));
  }
  ASSERT_EQ(only_new->keys_of("hcp-alice")->size(), 1u);
  auto alice_new = sign_in(server, "alice", only_new);
  ASSERT_OK(alice_new);
  auto old = (*alice_new)->health_elements().get(he->entity["id"]);
  ASSERT_OK(old);
  EXPECT_EQ(old->entity["descr"], "old data");
  // Sharing keeps working, through the same (extended, re-signed) exchange data.
  auto more = (*alice_new)->health_elements().create(Json{{"descr", "new data"}}, share);
  ASSERT_OK(more);
  ASSERT_OK((*bob)->health_elements().get(more->entity["id"]));
  ASSERT_OK((*bob)->health_elements().get(he->entity["id"]));
}

TEST(Facade, DocumentAttachmentsAreStreamedEncrypted) {
  testing::DevServer server(":tmpfile:");
  auto alice = sign_in(server, "alice");
  auto bob = sign_in(server, "bob");
  ASSERT_OK(alice);
  ASSERT_OK(bob);
  CreateOptions share;
  share.share_with = {{"hcp-bob", AccessLevel::kRead}};
  auto doc = (*alice)->documents().create(Json{{"name", "scan.pdf"}}, share);
  ASSERT_OK(doc);
  // 3 MiB + 5 bytes of a recognisable pattern.
  std::string data;
  for (int i = 0; data.size() < 3 * 1024 * 1024 + 5; ++i) data += "ATTACHMENT-PLAINTEXT-" + std::to_string(i) + ";";
  std::istringstream in(data);
  auto uploaded = (*alice)->attachments().upload(doc->entity["id"], in);
  ASSERT_OK(uploaded);
  EXPECT_TRUE(uploaded->entity.contains("attachmentId"));
  std::ostringstream out;
  ASSERT_OK((*bob)->attachments().download(doc->entity["id"], out));
  EXPECT_EQ(out.str().size(), data.size());
  EXPECT_TRUE(out.str() == data);
  // The server holds only ciphertext.
  server.stop();
  std::string all_files;
  for (const auto& f : std::filesystem::directory_iterator(std::filesystem::path(server.db_path()).parent_path())) {
    all_files += testing::read_file(f.path().string());
  }
  EXPECT_NE(all_files.find("hcp-alice"), std::string::npos);  // the scan sees the database
  EXPECT_EQ(all_files.find("ATTACHMENT-PLAINTEXT"), std::string::npos);
}

}  // namespace
}  // namespace cardinal
