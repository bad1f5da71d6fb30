// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Integrity of Document main attachments. The platform format (AES-256-CBC, IV prepended) has no
// MAC, so this SDK records the plaintext's length and SHA-256 inside the Document's encrypted
// content (the `hash` field, in encryptedSelf: the official SDK reads documents strictly and
// refuses unknown fields, so a model field is used; see docs/interoperability.md), and checks
// them on download.
//
//   hash = "cardinalCppAttachmentIntegrity/v1 sha256=<64 lowercase hex> length=<decimal>"

#include <cardinal/bytes.hpp>
#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/hash.hpp>
#include <cardinal/result.hpp>
#include <cardinal/secret.hpp>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace cardinal::api {

/// Largest attachment the integrity record accepts (and the SDK uploads): 2^50 bytes.
inline constexpr std::uint64_t kMaxAttachmentLength = std::uint64_t{1} << 50;

struct AttachmentIntegrity {
  Bytes sha256;  ///< 32 bytes
  std::uint64_t length = 0;

  [[nodiscard]] std::string to_field() const;
  /// Size of the platform ciphertext of `length` bytes (IV + PKCS#7-padded blocks).
  [[nodiscard]] std::uint64_t ciphertext_size() const noexcept { return 16 + (length / 16 + 1) * 16; }
};

/// Whether a `hash` value claims to be this SDK's record, of any version.
bool is_integrity_field(std::string_view value) noexcept;
/// Parses a record. Errors: kTamperDetected (a malformed v1 record), kUnsupported (another
/// version: written by a newer SDK).
Result<AttachmentIntegrity> parse_integrity_field(std::string_view value);

/// Decrypts a streamed attachment and checks it against an optional record: length bounds as the
/// bytes arrive (so that appended data is refused without reading it all), then length, padding
/// and SHA-256 at the end. Without a record only the CBC padding is checked.
class AttachmentVerifier {
 public:
  static Result<AttachmentVerifier> create(const crypto::AesKey& key, std::optional<AttachmentIntegrity> expected,
                                           std::string document_id);
  /// Decrypts the next ciphertext chunk; the plaintext (may be empty) goes to `out` when set.
  Status update(std::span<const std::uint8_t> chunk, const std::function<Status(std::span<const std::uint8_t>)>& out);
  /// Ends the stream: the last plaintext block is checked with everything else before it is
  /// given to `out`. Errors: kTamperDetected (with a record), kDecryptionFailed (without).
  Status finish(const std::function<Status(std::span<const std::uint8_t>)>& out);
  /// Digest of the plaintext (after `finish`).
  [[nodiscard]] const Bytes& digest() const noexcept { return digest_; }
  [[nodiscard]] std::uint64_t plaintext_size() const noexcept { return plain_; }

 private:
  AttachmentVerifier(crypto::aes_cbc::StreamDecryptor dec, std::optional<AttachmentIntegrity> expected,
                     std::string document_id)
      : dec_(std::move(dec)), expected_(std::move(expected)), id_(std::move(document_id)) {}
  Error mismatch(const std::string& what) const;
  crypto::aes_cbc::StreamDecryptor dec_;
  crypto::Sha256Stream hash_;
  std::optional<AttachmentIntegrity> expected_;
  std::string id_;
  std::uint64_t cipher_ = 0;
  std::uint64_t plain_ = 0;
  Bytes digest_;
};

/// Holds received ciphertext until it is verified: in memory up to a limit, then in an unlinked
/// temporary file (mode 0600) in `directory` (empty: the system's temporary directory).
class CiphertextSpool {
 public:
  CiphertextSpool(std::size_t memory_limit, std::string directory)
      : limit_(memory_limit), directory_(std::move(directory)) {}
  ~CiphertextSpool();
  CiphertextSpool(const CiphertextSpool&) = delete;
  CiphertextSpool& operator=(const CiphertextSpool&) = delete;
  /// Goes to a file straight away (the expected size is known to exceed the memory limit).
  Status use_file();
  Status append(std::span<const std::uint8_t> chunk);
  /// Replays everything appended, in chunks.
  Status replay(const std::function<Status(std::span<const std::uint8_t>)>& out);

 private:
  std::size_t limit_;
  std::string directory_;
  Bytes memory_;
  std::FILE* file_ = nullptr;
};

}  // namespace cardinal::api
