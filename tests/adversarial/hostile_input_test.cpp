// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Hostile input (issue 13 §2 and §6): a server that answers JSON nested 10^3 … 10^6 levels deep,
// through CurlTransport, the pipeline and RestBackend of the public API; and local files (key
// store, pin file) with a flipped byte. Each is a clear error, never a crash, never a new key.

#include <cardinal/http/curl_transport.hpp>
#include <cardinal/keys/key_store.hpp>
#include <cardinal/keys/verification.hpp>
#include <cardinal/sdk.hpp>

#include "deep_json.hpp"
#include "devserver_process.hpp"
#include "hostile_transport.hpp"
#include "tamper_db.hpp"
#include "test_keys.hpp"
#include "test_util.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>

namespace cardinal {
namespace {

namespace fs = std::filesystem;

using testing::HostileTransport;

bool is(const HttpRequest& r, const std::string& method, const std::string& path_fragment) {
  return r.method == method && r.url.find(path_fragment) != std::string::npos;
}

/// The real answer (a JSON object, or an array of objects) with a member nested `depth` levels deep
/// added in front of each object's members: everything the SDK checks is still there and valid, so
/// the SDK goes on to use the record (copy, compare, serialise: recursive in nlohmann).
std::string with_deep_member(const std::string& real, std::size_t depth) {
  const std::string member = "\"deep\":" + testing::deep_json(depth) + ",";
  if (!real.empty() && real.front() == '{') return "{" + member + real.substr(1);
  if (real.size() > 1 && real.front() == '[' && real[1] == '{') return "[{" + member + real.substr(2);
  return real;
}

Result<std::unique_ptr<CardinalSdk>> sign_in(const testing::DevServer& server, const std::string& login,
                                             std::shared_ptr<HttpTransport> transport,
                                             std::shared_ptr<keys::KeyStore> store = nullptr) {
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = login;
  o.password = SecretBytes::from_string("pw");
  o.transport = std::move(transport);
  o.key_store = store ? std::move(store) : std::make_shared<keys::InMemoryKeyStore>();
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  return CardinalSdk::initialize(std::move(o));
}

TEST(HostileJson, DeeplyNestedEntityAnswerIsAMalformedResponseAtEveryDepth) {
  testing::DevServer server;
  auto hostile = std::make_shared<HostileTransport>();
  auto alice = sign_in(server, "alice", hostile);
  ASSERT_OK(alice);
  auto he = (*alice)->health_elements().create(Json{{"descr", "asthma"}});
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  for (const std::size_t depth : testing::hostile_depths()) {
    // The real, valid entity with a deeply nested extra member: on the old code the read
    // returned it (lossless JSON) and copying it overflowed the stack.
    hostile->rewrite([&](const HttpRequest& r, const std::string& real) -> std::optional<std::string> {
      if (is(r, "GET", "/rest/v2/helement/" + id)) return with_deep_member(real, depth);
      return std::nullopt;
    });
    auto got = (*alice)->health_elements().get(id);
    ASSERT_FALSE(got.ok()) << depth;
    EXPECT_EQ(got.error().code(), ErrorCode::kMalformedResponse) << got.error().to_string();
    EXPECT_NE(got.error().message().find("nested deeper than 128"), std::string::npos) << got.error().message();
    // A made-up entity shaped the same way.
    hostile->rewrite([&](const HttpRequest& r, const std::string&) -> std::optional<std::string> {
      if (is(r, "GET", "/rest/v2/helement/" + id)) return testing::deep_entity(id, depth);
      return std::nullopt;
    });
    EXPECT_ERROR_CODE((*alice)->health_elements().get(id), ErrorCode::kMalformedResponse);
  }
  hostile->rewrite(nullptr);
  auto again = (*alice)->health_elements().get(id);
  ASSERT_OK(again);
  EXPECT_EQ(again->entity["descr"], "asthma") << "the session survives the attack";
}

TEST(HostileJson, DeeplyNestedDataOwnerAndExchangeDataAnswersAreMalformedResponses) {
  testing::DevServer server;
  auto hostile = std::make_shared<HostileTransport>();
  auto alice = sign_in(server, "alice", hostile);
  ASSERT_OK(alice);
  ASSERT_OK(sign_in(server, "bob", CurlTransport::create().value()));
  auto he = (*alice)->health_elements().create(Json{{"descr", "asthma"}});
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  for (const std::size_t depth : testing::hostile_depths()) {
    // The delegate's data owner (share), then the exchange data list (a new share looks it up).
    hostile->rewrite([&](const HttpRequest& r, const std::string& real) -> std::optional<std::string> {
      if (is(r, "GET", "/rest/v2/dataowner/stub/hcp-bob")) return with_deep_member(real, depth);
      return std::nullopt;
    });
    EXPECT_ERROR_CODE((*alice)->health_elements().share(id, "hcp-bob", AccessLevel::kRead),
                      ErrorCode::kMalformedResponse);
    hostile->rewrite([&](const HttpRequest& r, const std::string& real) -> std::optional<std::string> {
      if (r.url.find("/rest/v2/exchangedata") != std::string::npos) return with_deep_member(real, depth);
      return std::nullopt;
    });
    auto shared = (*alice)->health_elements().share(id, "hcp-bob", AccessLevel::kRead);
    if (!shared.ok()) {
      EXPECT_EQ(shared.error().code(), ErrorCode::kMalformedResponse) << shared.error().to_string();
    }
    hostile->rewrite(nullptr);
  }
}

TEST(HostileJson, DeeplyNestedLoginAnswerFailsTheSignIn) {
  testing::DevServer server;
  for (const std::size_t depth : testing::hostile_depths()) {
    auto hostile = std::make_shared<HostileTransport>();
    hostile->rewrite([&](const HttpRequest& r, const std::string& real) -> std::optional<std::string> {
      if (is(r, "POST", "/rest/v2/auth/login")) return with_deep_member(real, depth);
      return std::nullopt;
    });
    EXPECT_ERROR_CODE(sign_in(server, "alice", hostile), ErrorCode::kMalformedResponse);
    hostile->rewrite([&](const HttpRequest& r, const std::string& real) -> std::optional<std::string> {
      if (is(r, "GET", "/rest/v2/dataowner/current")) return with_deep_member(real, depth);
      return std::nullopt;
    });
    EXPECT_ERROR_CODE(sign_in(server, "alice", hostile), ErrorCode::kMalformedResponse);
  }
}

// ----- local files with a flipped byte -----

const keys::ScryptParams kFast{10, 8, 1};

Bytes file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void write_bytes(const fs::path& p, const Bytes& b) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));  // NOLINT
}

struct TempDir {
  TempDir() {
    char t[] = "/tmp/cardinal-hostile-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

TEST(CorruptedKeyStore, AFlippedByteIsAClearErrorAndNeverANewKey) {
  testing::DevServer server(":tmpfile:");
  TempDir dir;
  const fs::path file = dir.path / "alice.keys";
  const auto pass = [] { return SecretBytes::from_string("alice passphrase"); };
  std::string original_key;
  {
    auto store = keys::EncryptedFileKeyStore::open(file, pass(), kFast);
    ASSERT_OK(store);
    auto alice = sign_in(server, "alice", CurlTransport::create().value(), *store);
    ASSERT_OK(alice);
    ASSERT_EQ((*alice)->crypto().verified_public_keys().size(), 1u);
    original_key = (*alice)->crypto().verified_public_keys().front();
  }
  const Bytes good = file_bytes(file);
  // A store the application opened before the file got corrupted re-reads it on every call.
  auto opened_before = keys::EncryptedFileKeyStore::open(file, pass(), kFast);
  ASSERT_OK(opened_before);
  for (const std::size_t at : {good.size() / 2, good.size() - 1, std::size_t{60}}) {
    Bytes bad = good;
    bad[at] ^= 0x01;
    write_bytes(file, bad);
    auto reopened = keys::EncryptedFileKeyStore::open(file, pass(), kFast);
    ASSERT_FALSE(reopened.ok()) << at;
    EXPECT_EQ(reopened.error().code(), ErrorCode::kUnauthenticated) << reopened.error().to_string();
    EXPECT_NE(reopened.error().message().find("corrupted"), std::string::npos) << reopened.error().message();
    auto alice = sign_in(server, "alice", CurlTransport::create().value(), *opened_before);
    ASSERT_FALSE(alice.ok()) << "signed in over a corrupted key store (flip at " << at << ")";
    EXPECT_EQ(alice.error().code(), ErrorCode::kUnauthenticated) << alice.error().to_string();
    EXPECT_EQ(file_bytes(file), bad) << "the corrupted file is left as it is, never replaced";
  }
  // The server never got a second key for alice.
  testing::TamperDb db(server.db_path());
  const Json hcp = db.get("healthcare_parties", "hcp-alice");
  EXPECT_EQ(hcp["publicKeysForOaepWithSha256"].size(), 1u) << hcp.dump();
  write_bytes(file, good);
  auto restored = sign_in(server, "alice", CurlTransport::create().value(), *opened_before);
  ASSERT_OK(restored);
  EXPECT_EQ((*restored)->crypto().verified_public_keys(), std::vector<std::string>{original_key});
}

TEST(CorruptedPinFile, EveryFlippedByteIsRefusedNeverFewerPins) {
  TempDir dir;
  const fs::path file = dir.path / "alice.pins";
  {
    auto v = keys::PinnedKeyVerifier::open(file);
    ASSERT_OK(v);
    ASSERT_OK((*v)->pin("hcp-bob", testing::test_key(1).public_key().spki_hex()));
    ASSERT_OK((*v)->pin("hcp-carol", testing::test_key(2).public_key().spki_hex()));
  }
  const Bytes good = file_bytes(file);
  ASSERT_OK(keys::PinnedKeyVerifier::open(file));
  std::size_t refused = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (const std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x20}}) {
      Bytes bad = good;
      bad[i] ^= mask;
      write_bytes(file, bad);
      auto v = keys::PinnedKeyVerifier::open(file);
      if (!v.ok()) {
        ++refused;
        EXPECT_EQ(v.error().code(), ErrorCode::kMalformedInput);
        EXPECT_NE(v.error().message().find("pin file"), std::string::npos) << v.error().message();
        continue;
      }
      // A change that still opens must keep every pin (e.g. none: there is no such byte today).
      EXPECT_EQ((*v)->pinned("hcp-bob"), std::vector<std::string>{testing::test_key(1).public_key().spki_hex()})
          << "flip at " << i;
      EXPECT_EQ((*v)->pinned("hcp-carol"), std::vector<std::string>{testing::test_key(2).public_key().spki_hex()})
          << "flip at " << i;
    }
  }
  EXPECT_EQ(refused, 2 * good.size()) << "every single flipped byte is detected";
  // A truncated file too.
  write_bytes(file, Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)));
  EXPECT_ERROR_CODE(keys::PinnedKeyVerifier::open(file), ErrorCode::kMalformedInput);
}

TEST(CorruptedPinFile, VersionOneFilesAreStillReadAndUpgraded) {
  TempDir dir;
  const fs::path file = dir.path / "old.pins";
  const std::string bob = testing::test_key(1).public_key().spki_hex();
  std::ofstream(file) << R"({"version":1,"pins":{"hcp-bob":[")" << bob << R"("]}})";
  auto v = keys::PinnedKeyVerifier::open(file);
  ASSERT_OK(v);
  EXPECT_EQ((*v)->pinned("hcp-bob"), std::vector<std::string>{bob});
  ASSERT_OK((*v)->pin("hcp-carol", testing::test_key(2).public_key().spki_hex()));
  const Json saved = parse_json(testing::read_file(file.string())).value();
  EXPECT_EQ(saved["version"], 2);
  EXPECT_TRUE(saved["sha256"].is_string());
  // A version 1 file with a flipped hex digit in a key is refused (the key no longer parses).
  std::string flipped = bob;
  flipped[40] = flipped[40] == 'a' ? 'b' : 'a';
  std::ofstream(file, std::ios::trunc) << R"({"version":1,"pins":{"hcp-bob":[")" << flipped << R"("]}})";
  auto bad = keys::PinnedKeyVerifier::open(file);
  if (bad.ok()) {
    // The flip landed on bytes a DER parser tolerates: the pin is then not the real key, and the
    // real key is a changed key (owner_has_other_pins) for the callback, never first use.
    EXPECT_EQ((*bad)->pinned("hcp-bob").size(), 1u);
  } else {
    EXPECT_EQ(bad.error().code(), ErrorCode::kMalformedInput);
  }
}

}  // namespace
}  // namespace cardinal
