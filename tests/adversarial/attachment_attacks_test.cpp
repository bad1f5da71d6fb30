// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Attachments under a compromised database (threat model: the server rewrites stored bytes). The
// platform format is AES-CBC without a MAC; this SDK stores the plaintext's length and SHA-256 in
// the document's encrypted content and checks them. Each attack edits the stored attachment in
// the devserver's SQLite file, then downloads through the public API in both delivery modes.

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>
#include <cardinal/http/curl_transport.hpp>
#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"
#include "tamper_db.hpp"
#include "test_util.hpp"

#include <filesystem>
#include <functional>
#include <mutex>
#include <sstream>

namespace cardinal {
namespace {

using testing::TamperDb;

struct Session {
  std::unique_ptr<CardinalSdk> sdk;
  std::shared_ptr<keys::KeyStore> keys = std::make_shared<keys::InMemoryKeyStore>();
  std::shared_ptr<std::vector<TamperReport>> reports = std::make_shared<std::vector<TamperReport>>();
  std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
  bool reported(const std::string& id) const {
    std::lock_guard lock(*mutex);
    for (const auto& r : *reports) {
      if (r.record_id == id && r.error.code() == ErrorCode::kTamperDetected) return true;
    }
    return false;
  }
};

Session sign_in(const testing::DevServer& server, const std::string& login,
                std::shared_ptr<HttpTransport> transport = nullptr,
                std::shared_ptr<keys::KeyStore> keys = nullptr) {
  Session s;
  if (keys) s.keys = std::move(keys);
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = login;
  o.password = SecretBytes::from_string("pw");
  o.key_store = s.keys;
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  o.transport = std::move(transport);
  o.on_tamper = [reports = s.reports, mutex = s.mutex](const TamperReport& r) {
    std::lock_guard lock(*mutex);
    reports->push_back(r);
  };
  auto sdk = CardinalSdk::initialize(std::move(o));
  if (!sdk.ok()) throw std::runtime_error(sdk.error().to_string());
  s.sdk = std::move(sdk).value();
  return s;
}

// 100 KiB + 7 bytes: several blocks, not a multiple of 16.
std::string sample_plaintext() {
  std::string data;
  for (int i = 0; data.size() < 100 * 1024 + 7; ++i) data += "LAB-RESULT-" + std::to_string(i) + ";";
  return data.substr(0, 100 * 1024 + 7);
}

class AttachmentAttack : public ::testing::Test {
 protected:
  void SetUp() override {
    alice = sign_in(server, "alice");
    bob = sign_in(server, "bob");
    CreateOptions share;
    share.share_with = {{"hcp-bob", AccessLevel::kRead}};
    auto doc = alice.sdk->documents().create(Json{{"name", "lab.pdf"}}, share);
    ASSERT_OK(doc);
    doc_id = doc->entity["id"].get<std::string>();
    std::istringstream in(plain);
    auto uploaded = alice.sdk->attachments().upload(doc_id, in);
    ASSERT_OK(uploaded);
    attachment_id = uploaded->entity["attachmentId"].get<std::string>();
  }

  TamperDb db() { return TamperDb(server.db_path()); }
  void tamper(const std::function<void(std::string&)>& edit) {
    auto d = db();
    std::string blob = d.get_blob(attachment_id);
    edit(blob);
    d.put_blob(attachment_id, blob);
  }
  Result<AttachmentDownload> download(Session& s, std::ostringstream& out, AttachmentDownloadOptions o = {}) {
    return s.sdk->attachments().download(doc_id, out, o);
  }
  // Verified-only delivery: refused, nothing written, reported. Streaming: refused too.
  void expect_refused() {
    std::ostringstream verified;
    auto r = download(bob, verified);
    ASSERT_FALSE(r.ok()) << "the tampered attachment was accepted";
    EXPECT_EQ(r.error().code(), ErrorCode::kTamperDetected) << r.error().to_string();
    EXPECT_TRUE(verified.str().empty()) << verified.str().size() << " bytes released before verification";
    EXPECT_TRUE(bob.reported(doc_id));
    std::ostringstream streamed;
    AttachmentDownloadOptions o;
    o.delivery = AttachmentDelivery::kStreaming;
    auto s = download(bob, streamed, o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::kTamperDetected) << s.error().to_string();
    EXPECT_NE(streamed.str(), plain);
  }

  testing::DevServer server{":tmpfile:"};
  Session alice, bob;
  const std::string plain = sample_plaintext();
  std::string doc_id, attachment_id;
};

TEST_F(AttachmentAttack, IntactAttachmentIsVerifiedAndItsRecordIsNotInClear) {
  for (auto delivery : {AttachmentDelivery::kVerifiedOnly, AttachmentDelivery::kStreaming}) {
    std::ostringstream out;
    AttachmentDownloadOptions o;
    o.delivery = delivery;
    auto r = download(bob, out, o);
    ASSERT_OK(r);
    EXPECT_TRUE(r->integrity_verified);
    EXPECT_TRUE(r->warnings.empty());
    EXPECT_EQ(r->size, plain.size());
    EXPECT_TRUE(out.str() == plain);
  }
  // The record (which would let the server confirm a guessed file) is only in encryptedSelf.
  const Json stored = db().get("documents", doc_id);
  EXPECT_FALSE(stored.contains("hash"));
  const std::string digest = crypto::hex_encode(crypto::sha256(as_bytes(plain)));
  EXPECT_EQ(stored.dump().find(digest), std::string::npos);
  EXPECT_EQ(stored.dump().find("cardinalCppAttachmentIntegrity"), std::string::npos);
}

TEST_F(AttachmentAttack, RemovedIvIsDetected) {
  tamper([](std::string& b) { b.erase(0, 16); });
  expect_refused();
}

TEST_F(AttachmentAttack, RemovedFirstBlockIsDetected) {
  tamper([](std::string& b) { b.erase(16, 16); });
  expect_refused();
}

TEST_F(AttachmentAttack, BitFlippedMidFileIsDetected) {
  tamper([](std::string& b) { b[b.size() / 2] = static_cast<char>(b[b.size() / 2] ^ 0x01); });
  expect_refused();
}

TEST_F(AttachmentAttack, TruncationIsDetectedBeforeAnyByteIsReleased) {
  tamper([](std::string& b) { b.resize(b.size() - 32); });
  expect_refused();
}

TEST_F(AttachmentAttack, TruncationInsideABlockIsDetected) {
  tamper([](std::string& b) { b.resize(b.size() - 5); });
  expect_refused();
}

TEST_F(AttachmentAttack, AppendedBytesAreDetected) {
  tamper([](std::string& b) { b += std::string(16, 'A'); });
  expect_refused();
}

// Two blocks appended so that the CBC padding is valid again (the attacker knows the first
// plaintext block, as with any file header): without the record this decrypts "fine".
TEST_F(AttachmentAttack, AppendedBlocksWithValidPaddingAreDetected) {
  tamper([this](std::string& b) {
    const std::string iv = b.substr(0, 16);
    const std::string c1 = b.substr(16, 16);
    std::string x(16, '\0');
    for (std::size_t i = 0; i < 16; ++i) x[i] = static_cast<char>(plain[i] ^ iv[i] ^ 0x10);  // D(c1) ^ x = 16 × 0x10
    b += x + c1;
  });
  expect_refused();
}

TEST_F(AttachmentAttack, AttachmentSwappedFromAnotherDocumentIsDetected) {
  CreateOptions share;
  share.share_with = {{"hcp-bob", AccessLevel::kRead}};
  auto other = alice.sdk->documents().create(Json{{"name", "other.pdf"}}, share);
  ASSERT_OK(other);
  std::istringstream in("another patient's scan");
  auto up = alice.sdk->attachments().upload(other->entity["id"], in);
  ASSERT_OK(up);
  // Same key? No: each document has its own. The server serves the other blob under this one.
  const std::string other_blob = db().get_blob(up->entity["attachmentId"].get<std::string>());
  tamper([&](std::string& b) { b = other_blob; });
  expect_refused();
}

TEST_F(AttachmentAttack, AttachmentWithoutRecordComesBackWithAWarning) {
  // A document whose record was removed (as for an attachment written by another SDK).
  auto doc = alice.sdk->documents().get(doc_id);
  ASSERT_OK(doc);
  Json without = doc->entity;
  without.erase("hash");
  ASSERT_OK(alice.sdk->documents().modify(without));
  std::ostringstream out;
  auto r = download(bob, out);
  ASSERT_OK(r);
  EXPECT_FALSE(r->integrity_verified);
  ASSERT_EQ(r->warnings.size(), 1U);
  EXPECT_NE(r->warnings[0].find("could not be verified"), std::string::npos) << r->warnings[0];
  EXPECT_TRUE(out.str() == plain);
  // Strict callers refuse it.
  std::ostringstream strict_out;
  AttachmentDownloadOptions strict;
  strict.require_integrity_record = true;
  EXPECT_ERROR_CODE(download(bob, strict_out, strict), ErrorCode::kVerificationFailed);
  EXPECT_TRUE(strict_out.str().empty());
  // A record the server put in clear is not trusted.
  Json stored = db().get("documents", doc_id);
  stored["hash"] = "cardinalCppAttachmentIntegrity/v1 sha256=" + std::string(64, '0') + " length=1";
  db().put("documents", stored);
  std::ostringstream clear_out;
  auto c = download(bob, clear_out);
  ASSERT_OK(c);
  EXPECT_FALSE(c->integrity_verified);
  ASSERT_EQ(c->warnings.size(), 1U);
  EXPECT_NE(c->warnings[0].find("in clear"), std::string::npos) << c->warnings[0];
}

TEST_F(AttachmentAttack, LargeAttachmentIsVerifiedThroughATemporaryFile) {
  const std::filesystem::path dir = std::filesystem::path(server.db_path()).parent_path() / "spool";
  std::filesystem::create_directories(dir);
  AttachmentDownloadOptions o;
  o.max_in_memory_bytes = 4096;
  o.temp_directory = dir.string();
  std::ostringstream out;
  auto r = download(bob, out, o);
  ASSERT_OK(r);
  EXPECT_TRUE(r->integrity_verified);
  EXPECT_TRUE(out.str() == plain);
  EXPECT_TRUE(std::filesystem::is_empty(dir));  // the temporary file is gone
  tamper([](std::string& b) { b[b.size() / 3] = static_cast<char>(b[b.size() / 3] ^ 0x80); });
  std::ostringstream tampered;
  auto t = download(bob, tampered, o);
  EXPECT_ERROR_CODE(t, ErrorCode::kTamperDetected);
  EXPECT_TRUE(tampered.str().empty());
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST_F(AttachmentAttack, DownloadHonoursTheTransportResponseLimit) {
  CurlTransportOptions limited;
  limited.max_response_bytes = 64 * 1024;  // the attachment is 100 KiB
  auto transport = CurlTransport::create(limited);
  ASSERT_OK(transport);
  Session small = sign_in(server, "bob", *transport, bob.keys);  // bob on the same device
  for (auto delivery : {AttachmentDelivery::kVerifiedOnly, AttachmentDelivery::kStreaming}) {
    std::ostringstream out;
    AttachmentDownloadOptions o;
    o.delivery = delivery;
    auto r = download(small, out, o);
    EXPECT_ERROR_CODE(r, ErrorCode::kMalformedResponse);
    if (delivery == AttachmentDelivery::kVerifiedOnly) {
      EXPECT_TRUE(out.str().empty());
    }
    EXPECT_LE(out.str().size(), limited.max_response_bytes);
  }
}

// A transport that fails the document update following an attachment upload.
class FailingDocumentUpdate : public HttpTransport {
 public:
  explicit FailingDocumentUpdate(std::shared_ptr<HttpTransport> inner) : inner_(std::move(inner)) {}
  Result<HttpResponse> send(const HttpRequest& r, const CancellationToken& cancel) override {
    if (fail && r.method == "PUT" && r.url.ends_with("/rest/v2/document")) return HttpResponse{500, {}, "boom"};
    return inner_->send(r, cancel);
  }
  bool fail = false;

 private:
  std::shared_ptr<HttpTransport> inner_;
};

TEST_F(AttachmentAttack, AFailedIntegrityRecordIsReportedNotSilent) {
  auto curl = CurlTransport::create();
  ASSERT_OK(curl);
  auto failing = std::make_shared<FailingDocumentUpdate>(*curl);
  Session a2 = sign_in(server, "alice", failing, alice.keys);
  auto doc = a2.sdk->documents().create(Json{{"name", "x.pdf"}});
  ASSERT_OK(doc);
  failing->fail = true;
  std::istringstream in("some bytes");
  auto up = a2.sdk->attachments().upload(doc->entity["id"], in);
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.error().code(), ErrorCode::kServerError);
  EXPECT_NE(up.error().message().find("was stored but its integrity record could not be saved"), std::string::npos)
      << up.error().message();
  // The attachment is there without a record: it downloads, with the warning.
  failing->fail = false;
  std::ostringstream out;
  auto r = a2.sdk->attachments().download(doc->entity["id"], out);
  ASSERT_OK(r);
  EXPECT_FALSE(r->integrity_verified);
  EXPECT_EQ(out.str(), "some bytes");
}

}  // namespace
}  // namespace cardinal
