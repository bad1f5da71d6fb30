// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The attachment integrity record and its checks, without a server.
#include "api/attachment_integrity.hpp"

#include <cardinal/crypto/hash.hpp>

#include "test_util.hpp"

namespace cardinal::api {
namespace {

Status collect(std::string& into, std::span<const std::uint8_t> chunk) {
  into.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());  // NOLINT
  return {};
}

TEST(AttachmentIntegrity, RecordRoundTripsAndMalformedRecordsAreTamper) {
  const AttachmentIntegrity r{crypto::sha256(as_bytes(std::string("abc"))), 3};
  const std::string field = r.to_field();
  EXPECT_TRUE(is_integrity_field(field));
  auto parsed = parse_integrity_field(field);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->length, 3u);
  EXPECT_EQ(parsed->sha256, r.sha256);
  EXPECT_EQ(r.ciphertext_size(), 32u);
  EXPECT_EQ((AttachmentIntegrity{{}, 16}).ciphertext_size(), 48u);
  EXPECT_FALSE(is_integrity_field("d41d8cd98f00b204e9800998ecf8427e"));  // someone else's hash value
  const std::string hex(64, 'a');
  for (const std::string& bad :
       {"cardinalCppAttachmentIntegrity/v1 sha256=" + hex, "cardinalCppAttachmentIntegrity/v1 sha256=" + hex + " length=",
        "cardinalCppAttachmentIntegrity/v1 sha256=" + hex + " length=01",
        "cardinalCppAttachmentIntegrity/v1 sha256=" + hex + " length=-1",
        "cardinalCppAttachmentIntegrity/v1 sha256=" + hex + " length=3 ",
        "cardinalCppAttachmentIntegrity/v1 sha256=" + std::string(64, 'A') + " length=3",
        "cardinalCppAttachmentIntegrity/v1 sha256=" + hex + " length=99999999999999999999999",
        "cardinalCppAttachmentIntegrity/v1 sha256=" + hex + " length=3x"}) {
    EXPECT_TRUE(is_integrity_field(bad)) << bad;
    EXPECT_ERROR_CODE(parse_integrity_field(bad), ErrorCode::kTamperDetected);
  }
  // A later version is not tampering: it is reported as not understood.
  EXPECT_ERROR_CODE(parse_integrity_field("cardinalCppAttachmentIntegrity/v2 blake3=00 length=3"),
                    ErrorCode::kUnsupported);
}

TEST(AttachmentIntegrity, VerifierChecksLengthEarlyAndDigestAtTheEnd) {
  const auto key = crypto::AesKey::generate().value();
  const std::string plain(1000, 'p');
  const Bytes ct = crypto::aes_cbc::encrypt(key, as_bytes(plain)).value();
  const AttachmentIntegrity good{crypto::sha256(as_bytes(plain)), plain.size()};

  std::string out;
  auto ok = AttachmentVerifier::create(key, good, "doc").value();
  ASSERT_OK(ok.update(ct, [&](auto c) { return collect(out, c); }));
  ASSERT_OK(ok.finish([&](auto c) { return collect(out, c); }));
  EXPECT_EQ(out, plain);

  // One byte more than the record allows is refused as it arrives.
  Bytes longer = ct;
  longer.push_back(0);
  auto early = AttachmentVerifier::create(key, good, "doc").value();
  EXPECT_ERROR_CODE(early.update(longer, nullptr), ErrorCode::kTamperDetected);

  // Same length, other content: the digest catches it (and the last block is not released).
  const AttachmentIntegrity other{crypto::sha256(as_bytes(std::string(1000, 'q'))), 1000};
  std::string released;
  auto wrong = AttachmentVerifier::create(key, other, "doc").value();
  ASSERT_OK(wrong.update(ct, [&](auto c) { return collect(released, c); }));
  EXPECT_ERROR_CODE(wrong.finish([&](auto c) { return collect(released, c); }), ErrorCode::kTamperDetected);
  EXPECT_LT(released.size(), plain.size());

  // Without a record only the padding is checked, as kDecryptionFailed.
  auto none = AttachmentVerifier::create(key, std::nullopt, "doc").value();
  ASSERT_OK(none.update(ByteView(ct).first(ct.size() - 16), nullptr));
  EXPECT_ERROR_CODE(none.finish(nullptr), ErrorCode::kDecryptionFailed);
}

TEST(AttachmentIntegrity, SpoolReplaysFromMemoryAndFromAFile) {
  for (std::size_t limit : {std::size_t{1} << 20, std::size_t{10}}) {
    CiphertextSpool spool(limit, "");
    Bytes data;
    for (int i = 0; i < 300'000; ++i) data.push_back(static_cast<std::uint8_t>(i * 7));
    ASSERT_OK(spool.append(ByteView(data).first(5)));
    ASSERT_OK(spool.append(ByteView(data).subspan(5)));
    std::string back;
    ASSERT_OK(spool.replay([&](auto c) { return collect(back, c); }));
    ASSERT_EQ(back.size(), data.size());
    EXPECT_TRUE(std::equal(back.begin(), back.end(), data.begin(), [](char a, std::uint8_t b) {
      return static_cast<std::uint8_t>(a) == b;
    }));
  }
  CiphertextSpool nowhere(1, "/nonexistent-dir-for-cardinal-tests");
  EXPECT_ERROR_CODE(nowhere.append(as_bytes(std::string("xy"))), ErrorCode::kIo);
}

}  // namespace
}  // namespace cardinal::api
