// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Red-team review of the issue 13 / 14 work: attacks a compromised database (tamper_db.hpp) or a
// hostile transport (an interceptor) can mount against what was merged, each against a real
// devserver.

#include <cardinal/crypto/encoding.hpp>

#include "api/sdk_core.hpp"
#include "api/trust_state.hpp"
#include "devserver_process.hpp"
#include "engine/access_control.hpp"
#include "engine/delegation_crypto.hpp"
#include "engine/entity_crypto.hpp"
#include "engine/json_encryption.hpp"
#include "httplib_api_call.hpp"
#include "tamper_db.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace cardinal {
namespace {

using testing::TamperDb;

struct Client {
  std::shared_ptr<keys::KeyStore> keys = std::make_shared<keys::InMemoryKeyStore>();
  std::shared_ptr<CryptoStrategies> strategies = std::make_shared<BasicCryptoStrategies>();
  std::vector<TamperReport> events;
  std::mutex mutex;
  std::unique_ptr<api::SdkCore> core;
  std::function<Result<transport::ApiResponse>(const transport::ApiRequest&, const transport::ApiCall&)> interceptor;
  std::size_t trust_capacity = 10000;  // CoreOptions::trust_state_capacity

  Status start(const testing::DevServer& server, const std::string& login) {
    api::CoreOptions o;
    auto inner = testing::httplib_api_call("127.0.0.1", server.port(), login, "pw");
    o.backend = std::make_shared<api::RestBackend>([this, inner](const transport::ApiRequest& r) -> Result<transport::ApiResponse> {
      return interceptor ? interceptor(r, inner) : inner(r);
    });
    o.keys = keys;
    o.strategies = strategies;
    o.trust_state_capacity = trust_capacity;
    o.on_tamper = [this](const TamperReport& e) {
      std::lock_guard lock(mutex);
      events.push_back(e);
    };
    auto c = api::SdkCore::start(std::move(o));
    if (!c.ok()) return c.error();
    core = std::move(c).value();
    return {};
  }
  std::string spki() const { return core->key_ring().all().begin()->second.key.public_key().spki_hex(); }
  bool reported(const std::string& id, const std::string& words) {
    std::lock_guard lock(mutex);
    for (const auto& e : events) {
      if (e.record_id == id && e.error.message().find(words) != std::string::npos) return true;
    }
    return false;
  }
};

struct World {
  testing::DevServer server{":tmpfile:"};
  Client alice, bob;
  explicit World(std::size_t trust_capacity = 10000) {
    alice.trust_capacity = trust_capacity;
    EXPECT_TRUE(alice.start(server, "alice").ok());
    EXPECT_TRUE(bob.start(server, "bob").ok());
  }
  TamperDb db() { return TamperDb(server.db_path()); }
};

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

bool has_warning(const DecryptedEntity& d, const std::string& part) {
  return std::any_of(d.warnings.begin(), d.warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

/// Forged exchange data `claimed_delegator → victim` (stored), encrypted for the victim's real
/// public key, and a delegation through it to be added to an entity of `type`.
struct Forged {
  std::string delegation_key;
  Json delegation;
};

Forged forge(World& w, const std::string& suffix, const std::string& claimed_delegator, const std::string& victim,
             const std::string& victim_spki, std::string_view type, const std::vector<std::string>& secret_ids,
             const std::vector<std::string>& owning_ids, const std::optional<crypto::AesKey>& entity_key) {
  auto secrets = engine::ExchangeSecrets::generate().value();
  auto victim_pub = crypto::RsaPublicKey::from_spki_hex(victim_spki, crypto::RsaOaepHash::kSha256).value();
  auto evil = crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256).value();
  auto record =
      engine::build_exchange_data("forged-" + suffix, claimed_delegator, victim, secrets, {victim_pub}, {&evil}).value();
  {
    auto db = w.db();
    Json j = record.to_json();
    j["rev"] = "1-forged";
    db.put("exchange_data", j);
  }
  auto ack = engine::access_control_key(secrets.access_control_secret, type).value();
  auto enc = [&](const std::vector<std::string>& values) {
    Json out = Json::array();
    for (const auto& v : values) out.push_back(engine::encrypt_delegation_value(secrets.exchange_key, as_bytes(v)).value());
    return out;
  };
  Json d = Json::object();
  d["delegator"] = claimed_delegator;
  d["delegate"] = victim;
  d["secretIds"] = enc(secret_ids);
  d["encryptionKeys"] = Json::array();
  if (entity_key) {
    d["encryptionKeys"].push_back(engine::encrypt_delegation_value(secrets.exchange_key, entity_key->secret().reveal()).value());
  }
  d["owningEntityIds"] = enc(owning_ids);
  d["parentDelegations"] = Json::array();
  d["exchangeDataId"] = record.id;
  d["permissions"] = "WRITE";
  return Forged{engine::secure_delegation_key(ack.reveal()), std::move(d)};
}

void add_delegation(World& w, const std::string& table, const std::string& id, const Forged& f) {
  auto db = w.db();
  Json j = db.get(table, id);
  j["securityMetadata"]["secureDelegations"][f.delegation_key] = f.delegation;
  db.put(table, j);
}

// ---------------------------------------------------------------------------------------------
// 1. Provenance.

// A delegation carrying no entity key, only a secret id and an owning-entity id of the server's
// choosing, sits next to the genuine share. accept_shared_key must make only the shared key (and
// what came with it) the user's own; the server's secret id must not become "verified" (the user
// would then link new data to it in clear secretForeignKeys, and pass it on as authentic).
TEST(ReviewProvenance, AcceptSharedKeyDoesNotLaunderValuesOfAKeylessForgedDelegation) {
  World w;
  auto e = w.alice.core->create("Patient", Json{{"firstName", "P"}, {"note", "shared"}},
                                {{}, {}, {{"hcp-bob", AccessLevel::kWrite}}});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  auto forged = forge(w, "keyless", "hcp-alice", "hcp-bob", w.bob.spki(), "Patient", {"evil-secret"}, {"evil-owner"},
                      std::nullopt);
  add_delegation(w, "patients", id, forged);

  auto read = w.bob.core->get("Patient", id);
  ASSERT_OK(read);
  // Before accepting: the server's secret id is either left out or flagged.
  EXPECT_TRUE(std::count(read->secret_ids.begin(), read->secret_ids.end(), "evil-secret") == 0 || !read->warnings.empty())
      << "a secret id from a delegation without the entity key is returned silently";

  auto accepted = w.bob.core->accept_shared_key("Patient", id);
  ASSERT_OK(accepted);
  EXPECT_EQ(accepted->provenance, Provenance::kVerified);
  EXPECT_EQ(std::count(accepted->secret_ids.begin(), accepted->secret_ids.end(), "evil-secret"), 0) << "the server's secret id became bob's own";
  EXPECT_EQ(accepted->secret_ids.size(), 1u);
  auto again = w.bob.core->get("Patient", id);
  ASSERT_OK(again);
  EXPECT_EQ(std::count(again->secret_ids.begin(), again->secret_ids.end(), "evil-secret"), 0);
}

// The server adds a medical field in clear that the manifest encrypts (here `note`, absent from
// the genuine content). It must not read as the entity's own content, and the next modify must
// not re-encrypt it as the user's own words.
TEST(ReviewProvenance, ClearFieldTheManifestEncryptsIsReportedAndNotLaunderedOnModify) {
  World w;
  auto e = w.alice.core->create("HealthElement", Json{{"descr", "asthma"}}, {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  {
    auto db = w.db();
    Json j = db.get("health_elements", id);
    j["note"] = "server says: stop all medication";
    db.put("health_elements", j);
  }
  auto read = w.alice.core->get("HealthElement", id);
  ASSERT_OK(read);
  EXPECT_TRUE(has_warning(*read, "note")) << join(read->warnings);
  EXPECT_NE(read->entity.value("note", std::string()), "server says: stop all medication")
      << "a field stored in clear by the server reads as the entity's encrypted content";
  Json changed = read->entity;
  changed["descr"] = "asthma, mild";
  auto saved = w.alice.core->modify("HealthElement", changed);
  ASSERT_OK(saved);
  const Json stored = w.db().get("health_elements", id);
  auto key_access = w.alice.core->decrypt("HealthElement", stored);
  ASSERT_OK(key_access);
  EXPECT_NE(key_access->entity.value("note", std::string()), "server says: stop all medication")
      << "the injected field was re-encrypted as the user's own content";
}

// ---------------------------------------------------------------------------------------------
// 2. Rollback tracking.

// The server rolls an entity back to an older revision and strips (or garbles) its rev: the
// rollback must still be noticed.
TEST(ReviewRollback, RolledBackEntityWithoutANumberedRevIsStillReported) {
  for (const std::optional<Json>& rev : {std::optional<Json>(), std::optional<Json>(Json("legacy")),
                                        std::optional<Json>(Json(1)), std::optional<Json>(Json("-1-x"))}) {
    World w;
    auto e = w.alice.core->create("HealthElement", Json{{"descr", "v1"}}, {});
    ASSERT_OK(e);
    const std::string id = e->entity["id"];
    Json v1 = w.db().get("health_elements", id);
    Json changed = e->entity;
    changed["descr"] = "v2: allergy to penicillin";
    ASSERT_OK(w.alice.core->modify("HealthElement", changed));
    if (rev) {
      v1["rev"] = *rev;
    } else {
      v1.erase("rev");
    }
    w.db().put("health_elements", v1);
    auto read = w.alice.core->get("HealthElement", id);
    ASSERT_OK(read);
    ASSERT_EQ(read->entity["descr"], "v1");
    EXPECT_FALSE(read->warnings.empty()) << "rollback with rev " << (rev ? rev->dump() : "(none)")
                                         << " reads as a clean record";
  }
}

// Same for a data owner: an older record (with a removed key back, say) served without a rev.
TEST(ReviewRollback, DataOwnerServedWithoutRevAfterANumberedOneIsRefused) {
  World w;
  ASSERT_OK(w.alice.core->share("HealthElement",
                                w.alice.core->create("HealthElement", Json{{"descr", "x"}}, {})->entity["id"], "hcp-bob",
                                AccessLevel::kRead));
  {
    auto db = w.db();
    Json bob = db.get("healthcare_parties", "hcp-bob");
    bob.erase("rev");
    db.put("healthcare_parties", bob);
  }
  auto e = w.alice.core->create("HealthElement", Json{{"descr", "y"}}, {});
  ASSERT_OK(e);
  auto shared = w.alice.core->share("HealthElement", e->entity["id"], "hcp-bob", AccessLevel::kRead);
  ASSERT_FALSE(shared.ok()) << "a data owner without rev after revision 1+ was accepted";
  EXPECT_EQ(shared.error().code(), ErrorCode::kTamperDetected);
}

// The remembered revisions are a bounded LRU: the server must not be able to flush the history
// of the user's entities by answering a list request with many made-up records (here: exchange
// data alice → bob, in the answer to the first share's lookup), then roll an entity back unseen.
TEST(ReviewRollback, FloodOfMadeUpRecordsDoesNotFlushTheEntityHistory) {
  constexpr std::size_t kCapacity = 50;
  World w(kCapacity);
  auto e = w.alice.core->create("HealthElement", Json{{"descr", "v1"}}, {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  const Json v1 = w.db().get("health_elements", id);
  Json changed = e->entity;
  changed["descr"] = "v2: allergy to penicillin";
  ASSERT_OK(w.alice.core->modify("HealthElement", changed));
  w.alice.interceptor = [](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    auto resp = inner(r);
    if (resp.ok() && resp->status == 200 && r.path.find("/exchangedata/byDelegatorDelegate/") != std::string::npos) {
      Json list = parse_json(resp->body).value();
      for (std::size_t i = 0; i < 4 * kCapacity; ++i) {
        list.push_back(Json{{"id", "junk-" + std::to_string(i)}, {"rev", "1-junk"}, {"delegator", "hcp-alice"},
                            {"delegate", "hcp-bob"}, {"exchangeKey", Json::object()},
                            {"accessControlSecret", Json::object()}, {"sharedSignatureKey", Json::object()},
                            {"delegatorSignature", Json::object()}, {"sharedSignature", ""}});
      }
      resp->body = list.dump();
    }
    return resp;
  };
  auto other = w.alice.core->create("HealthElement", Json{{"descr", "other"}}, {});
  ASSERT_OK(other);
  ASSERT_OK(w.alice.core->share("HealthElement", other->entity["id"], "hcp-bob", AccessLevel::kRead));
  w.alice.interceptor = nullptr;
  w.db().put("health_elements", v1);
  auto read = w.alice.core->get("HealthElement", id);
  ASSERT_OK(read);
  ASSERT_EQ(read->entity["descr"], "v1");
  EXPECT_FALSE(read->warnings.empty()) << "the rollback went unnoticed after the flood";
}

// The same through a byIds answer (bulk get and query pages share it): made-up entities slipped
// into it are not recorded, so they cannot flush the history either.
TEST(ReviewRollback, MadeUpEntitiesInAByIdsAnswerDoNotFlushTheEntityHistory) {
  constexpr std::size_t kCapacity = 50;
  World w(kCapacity);
  auto e = w.alice.core->create("HealthElement", Json{{"descr", "v1"}}, {});
  ASSERT_OK(e);
  const std::string id = e->entity["id"];
  const Json v1 = w.db().get("health_elements", id);
  Json changed = e->entity;
  changed["descr"] = "v2";
  ASSERT_OK(w.alice.core->modify("HealthElement", changed));
  auto other = w.alice.core->create("HealthElement", Json{{"descr", "other"}}, {});
  ASSERT_OK(other);
  w.alice.interceptor = [](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    auto resp = inner(r);
    if (resp.ok() && resp->status == 200 && r.path == "/rest/v2/helement/byIds") {
      Json list = parse_json(resp->body).value();
      for (std::size_t i = 0; i < 4 * kCapacity; ++i) {
        list.push_back(Json{{"id", "junk-" + std::to_string(i)}, {"rev", "1-junk"}});
      }
      resp->body = list.dump();
    }
    return resp;
  };
  auto got = w.alice.core->get_many("HealthElement", {other->entity["id"]});
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), 1u);
  ASSERT_OK((*got)[0]);
  w.alice.interceptor = nullptr;
  w.db().put("health_elements", v1);
  auto read = w.alice.core->get("HealthElement", id);
  ASSERT_OK(read);
  ASSERT_EQ(read->entity["descr"], "v1");
  EXPECT_FALSE(read->warnings.empty()) << "the rollback went unnoticed after the flood";
}

// A damaged trust-state file of the wrong shape is a clear error, never an exception.
TEST(ReviewTrustState, DamagedFileOfTheWrongShapeIsAnErrorNotACrash) {
  const auto dir = std::filesystem::temp_directory_path() / ("cardinal-review-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "trust.json";
  for (const char* text : {R"({"version":"1"})", R"({"version":1.5})", R"({"version":null})", R"([1])",
                           R"({"version":1,"revisions":[["a",-1]]})", R"({"version":1,"keys":[["o",{"k":1}]]})"}) {
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << text;
    }
    Result<std::shared_ptr<api::TrustState>> opened = Error{ErrorCode::kInternal, "not run"};
    EXPECT_NO_THROW(opened = api::TrustState::open(api::TrustState::Options{10, file})) << text;
    EXPECT_FALSE(opened.ok()) << text;
  }
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// Hostile answers on the new conflict and share paths: wrong JSON types are errors, not crashes.

TEST(ReviewHostileJson, NonStringRevInTheConflictAnswerIsAnErrorNotACrash) {
  World w;
  auto e = w.alice.core->create("HealthElement", Json{{"descr", "v1"}}, {});
  ASSERT_OK(e);
  Json v2 = e->entity;
  v2["descr"] = "v2";
  ASSERT_OK(w.alice.core->modify("HealthElement", v2));
  w.alice.interceptor = [](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    auto resp = inner(r);
    if (resp.ok() && r.method == "GET" && r.path.starts_with("/rest/v2/helement/") && resp->status == 200) {
      Json j = parse_json(resp->body).value();
      j["rev"] = 7;
      resp->body = j.dump();
    }
    return resp;
  };
  Json stale = e->entity;
  stale["descr"] = "stale edit";
  Result<DecryptedEntity> r = Error{ErrorCode::kInternal, "not run"};
  EXPECT_NO_THROW(r = w.alice.core->modify("HealthElement", stale));
  EXPECT_FALSE(r.ok());
}

TEST(ReviewHostileJson, WrongTypesInTheBulkShareAnswerAreAnErrorNotACrash) {
  for (const char* answer : {R"([{"entityId":5}])", R"([{"entityId":"ID","rejectedRequests":{"0":{"code":"409"}}}])",
                             R"([{"entityId":"ID","rejectedRequests":{"0":{"code":409,"shouldRetry":"yes"}}}])",
                             R"([{"entityId":"ID","rejectedRequests":{"0":{"code":1e300}}}])"}) {
    World w;
    auto e = w.alice.core->create("HealthElement", Json{{"descr", "x"}}, {});
    ASSERT_OK(e);
    const std::string id = e->entity["id"];
    std::string body = answer;
    if (auto p = body.find("\"ID\""); p != std::string::npos) body.replace(p, 4, "\"" + id + "\"");
    w.alice.interceptor = [body](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
      if (r.path.find("bulkSharedMetadataUpdate") != std::string::npos) return transport::ApiResponse{200, body};
      return inner(r);
    };
    Result<DecryptedEntity> r = Error{ErrorCode::kInternal, "not run"};
    EXPECT_NO_THROW(r = w.alice.core->share("HealthElement", id, "hcp-bob", AccessLevel::kRead)) << answer;
    EXPECT_FALSE(r.ok()) << answer;
  }
}

TEST(ReviewHostileJson, NumericIdsInCreateAndModifyAnswersAreAnErrorNotACrash) {
  World w;
  auto e = w.alice.core->create("HealthElement", Json{{"descr", "v1"}}, {});
  ASSERT_OK(e);
  w.alice.interceptor = [](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    auto resp = inner(r);
    if (resp.ok() && (r.method == "POST" || r.method == "PUT") && r.path == "/rest/v2/helement" &&
        resp->status == 200) {
      Json j = parse_json(resp->body).value();
      j["id"] = 42;
      resp->body = j.dump();
    }
    return resp;
  };
  Result<DecryptedEntity> created = Error{ErrorCode::kInternal, "not run"};
  EXPECT_NO_THROW(created = w.alice.core->create("HealthElement", Json{{"descr", "v2"}}, {}));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), ErrorCode::kMalformedResponse) << created.error().to_string();
  Json changed = e->entity;
  changed["descr"] = "changed";
  Result<DecryptedEntity> modified = Error{ErrorCode::kInternal, "not run"};
  EXPECT_NO_THROW(modified = w.alice.core->modify("HealthElement", changed));
  ASSERT_FALSE(modified.ok());
  EXPECT_EQ(modified.error().code(), ErrorCode::kMalformedResponse) << modified.error().to_string();
  // A caller's entity whose id is a number is refused as input, not a crash.
  Json bad = e->entity;
  bad["id"] = 7;
  w.alice.interceptor = nullptr;
  Result<DecryptedEntity> refused = Error{ErrorCode::kInternal, "not run"};
  EXPECT_NO_THROW(refused = w.alice.core->modify("HealthElement", bad));
  EXPECT_FALSE(refused.ok());
}

// ---------------------------------------------------------------------------------------------
// 3. Attachments.

struct Doc {
  std::string id;
  std::string attachment_id;
};

const std::string kPlain = [] {
  std::string s;
  for (int i = 0; s.size() < 4096 + 3; ++i) s += "RESULT-" + std::to_string(i) + ";";
  return s;
}();

Doc shared_document(World& w) {
  auto doc = w.alice.core->create("Document", Json{{"name", "lab.pdf"}}, {{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  EXPECT_TRUE(doc.ok());
  const std::string id = doc->entity["id"];
  std::size_t off = 0;
  auto up = w.alice.core->upload_attachment(id, [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
    const std::size_t n = std::min(buf.size(), kPlain.size() - off);
    std::copy_n(kPlain.begin() + static_cast<std::ptrdiff_t>(off), n, buf.begin());
    off += n;
    return n;
  });
  EXPECT_TRUE(up.ok()) << (up.ok() ? "" : up.error().to_string());
  return Doc{id, up.ok() ? up->entity["attachmentId"].get<std::string>() : std::string()};
}

Result<AttachmentDownload> download(Client& c, const std::string& id, std::string& out) {
  out.clear();
  return c.core->download_attachment(id, [&](std::span<const std::uint8_t> chunk) -> Status {
    out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());  // NOLINT
    return {};
  });
}

// The server replaces the document's encryptedSelf (which holds the integrity record) with one
// that does not open (here: another document's) and flips a bit in the middle of the attachment.
// That is tampering, not "an attachment written by another SDK".
TEST(ReviewAttachment, EncryptedSelfThatDoesNotOpenIsTamperingNotAMissingRecord) {
  World w;
  Doc doc = shared_document(w);
  Doc other = shared_document(w);
  {
    auto db = w.db();
    Json j = db.get("documents", doc.id);
    j["encryptedSelf"] = db.get("documents", other.id)["encryptedSelf"];
    db.put("documents", j);
    std::string blob = db.get_blob(doc.attachment_id);
    blob[blob.size() / 2] = static_cast<char>(blob[blob.size() / 2] ^ 0x01);
    db.put_blob(doc.attachment_id, blob);
  }
  std::string out;
  auto r = download(w.bob, doc.id, out);
  ASSERT_FALSE(r.ok()) << "tampered attachment downloaded with warnings: " << join(r->warnings);
  EXPECT_EQ(r.error().code(), ErrorCode::kTamperDetected) << r.error().to_string();
  EXPECT_TRUE(out.empty());
}

// A document shared with bob (a key of unverified provenance, as every share from another data
// owner): the server adds a second key through forged exchange data and serves content, record
// and attachment under it. decrypt() flags two keys; the download must not call that verified.
TEST(ReviewAttachment, SecondUnverifiedKeyOnASharedDocumentIsNotAVerifiedDownload) {
  World w;
  Doc doc = shared_document(w);
  auto evil_key = crypto::AesKey::generate().value();
  auto forged = forge(w, "doc", "hcp-alice", "hcp-bob", w.bob.spki(), "Document", {"s"}, {}, evil_key);
  const std::string evil = "ATTACKER'S REPLACEMENT LAB RESULT";
  {
    auto db = w.db();
    Json j = db.get("documents", doc.id);
    j["securityMetadata"]["secureDelegations"][forged.delegation_key] = forged.delegation;
    const std::string record = "cardinalCppAttachmentIntegrity/v1 sha256=" +
                               crypto::hex_encode(crypto::sha256(as_bytes(evil))) +
                               " length=" + std::to_string(evil.size());
    Json clear{{"id", doc.id}, {"name", "lab.pdf"}, {"hash", record}};
    auto manifest = w.alice.core->manifest_of("Document").value();
    j["encryptedSelf"] = engine::encrypt_json(clear, evil_key, manifest, Json{{"id", doc.id}}).value()["encryptedSelf"];
    db.put("documents", j);
    auto enc = crypto::aes_cbc::StreamEncryptor::create(evil_key).value();
    Bytes ct = enc.update(as_bytes(evil)).value();
    Bytes tail = enc.finish().value();
    ct.insert(ct.end(), tail.begin(), tail.end());
    db.put_blob(doc.attachment_id, std::string(ct.begin(), ct.end()));
  }
  std::string out;
  auto r = download(w.bob, doc.id, out);
  if (r.ok()) {
    EXPECT_FALSE(r->integrity_verified) << "the attacker's attachment is reported as verified";
    EXPECT_FALSE(r->warnings.empty()) << "the attacker's attachment downloads without a word";
  }
  EXPECT_TRUE(w.bob.reported(doc.id, "different entity keys"));
}

}  // namespace
}  // namespace cardinal
