// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/attachment_integrity.hpp"

#include <cardinal/crypto/encoding.hpp>

#include <charconv>
#include <filesystem>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace cardinal::api {

namespace {
constexpr std::string_view kFamily = "cardinalCppAttachmentIntegrity/";
constexpr std::string_view kPrefix = "cardinalCppAttachmentIntegrity/v1 ";
constexpr std::size_t kReplayChunk = 64 * 1024;
}  // namespace

std::string AttachmentIntegrity::to_field() const {
  return std::string(kPrefix) + "sha256=" + crypto::hex_encode(sha256) + " length=" + std::to_string(length);
}

bool is_integrity_field(std::string_view value) noexcept { return value.starts_with(kFamily); }

Result<AttachmentIntegrity> parse_integrity_field(std::string_view value) {
  const Error bad{ErrorCode::kTamperDetected, "the attachment integrity record is malformed"};
  if (!value.starts_with(kFamily)) return bad;
  if (!value.starts_with(kPrefix)) {
    return Error{ErrorCode::kUnsupported, "the attachment integrity record has a version this SDK does not know"};
  }
  value.remove_prefix(kPrefix.size());
  if (!value.starts_with("sha256=") || value.size() < 7 + 64) return bad;
  const std::string_view hex = value.substr(7, 64);
  for (const char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return bad;
  }
  value.remove_prefix(7 + 64);
  if (!value.starts_with(" length=")) return bad;
  value.remove_prefix(8);
  if (value.empty() || value.size() > 20 || (value.size() > 1 && value.front() == '0')) return bad;
  std::uint64_t length = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
  if (ec != std::errc() || end != value.data() + value.size() || length > kMaxAttachmentLength) return bad;
  auto digest = crypto::hex_decode(hex);
  if (!digest.ok()) return bad;
  return AttachmentIntegrity{std::move(digest).value(), length};
}

// ----- AttachmentVerifier -----

Result<AttachmentVerifier> AttachmentVerifier::create(const crypto::AesKey& key,
                                                      std::optional<AttachmentIntegrity> expected,
                                                      std::string document_id) {
  CARDINAL_ASSIGN_OR_RETURN(auto dec, crypto::aes_cbc::StreamDecryptor::create(key));
  return AttachmentVerifier(std::move(dec), std::move(expected), std::move(document_id));
}

Error AttachmentVerifier::mismatch(const std::string& what) const {
  return Error{ErrorCode::kTamperDetected,
               "the attachment of document " + id_ + " " + what + ": it was altered on the server (discard it)"};
}

Status AttachmentVerifier::update(std::span<const std::uint8_t> chunk,
                                  const std::function<Status(std::span<const std::uint8_t>)>& out) {
  cipher_ += chunk.size();
  if (expected_ && cipher_ > expected_->ciphertext_size()) return mismatch("is longer than its integrity record says");
  auto plain = dec_.update(chunk);
  if (!plain.ok()) {
    if (expected_) return mismatch("does not decrypt although it has an integrity record");
    return Error{ErrorCode::kDecryptionFailed, "the attachment of document " + id_ + " does not decrypt"};
  }
  plain_ += plain->size();
  if (expected_ && plain_ > expected_->length) return mismatch("is longer than its integrity record says");
  hash_.update(plain->reveal());
  if (out && !plain->empty()) return out(plain->reveal());
  return {};
}

Status AttachmentVerifier::finish(const std::function<Status(std::span<const std::uint8_t>)>& out) {
  auto tail = dec_.finish();
  if (!tail.ok()) {
    if (expected_) return mismatch(cipher_ < expected_->ciphertext_size()
                                    ? "is shorter than its integrity record says"
                                    : "does not decrypt although it has an integrity record");
    return Error{ErrorCode::kDecryptionFailed, "the attachment of document " + id_ +
                                                   " does not decrypt (truncated, altered, or another key)"};
  }
  plain_ += tail->size();
  hash_.update(tail->reveal());
  digest_ = hash_.finish();
  if (expected_) {
    if (plain_ != expected_->length) return mismatch(plain_ < expected_->length ? "is shorter than its integrity record says"
                                                                  : "is longer than its integrity record says");
    if (!constant_time_equals(digest_, expected_->sha256)) {
      return Error{ErrorCode::kTamperDetected, "the attachment of document " + id_ +
                                                   " does not match the SHA-256 of its integrity record: it was "
                                                   "altered on the server"};
    }
  }
  if (out && !tail->empty()) return out(tail->reveal());
  return {};
}

// ----- CiphertextSpool -----

CiphertextSpool::~CiphertextSpool() {
  if (file_ != nullptr) std::fclose(file_);
}

Status CiphertextSpool::use_file() {
  if (file_ != nullptr) return {};
  std::error_code ec;
  const std::filesystem::path dir =
      directory_.empty() ? std::filesystem::temp_directory_path(ec) : std::filesystem::path(directory_);
  if (ec) return Error{ErrorCode::kIo, "no temporary directory for the attachment: " + ec.message()};
  std::string name = (dir / "cardinal-attachment-XXXXXX").string();
  std::vector<char> buf(name.begin(), name.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());  // mode 0600
  if (fd < 0) return Error{ErrorCode::kIo, "cannot create a temporary file in " + dir.string()};
  ::unlink(buf.data());  // nobody else can open it; gone when closed
  file_ = ::fdopen(fd, "w+b");
  if (file_ == nullptr) {
    ::close(fd);
    return Error{ErrorCode::kIo, "cannot open a temporary file in " + dir.string()};
  }
  if (!memory_.empty() && std::fwrite(memory_.data(), 1, memory_.size(), file_) != memory_.size()) {
    return Error{ErrorCode::kIo, "cannot write the temporary attachment file in " + dir.string()};
  }
  Bytes().swap(memory_);
  return {};
}

Status CiphertextSpool::append(std::span<const std::uint8_t> chunk) {
  if (file_ == nullptr && memory_.size() + chunk.size() > limit_) CARDINAL_RETURN_IF_ERROR(use_file());
  if (file_ == nullptr) {
    memory_.insert(memory_.end(), chunk.begin(), chunk.end());
    return {};
  }
  if (std::fwrite(chunk.data(), 1, chunk.size(), file_) != chunk.size()) {
    return Error{ErrorCode::kIo, "cannot write the temporary attachment file (disk full?)"};
  }
  return {};
}

Status CiphertextSpool::replay(const std::function<Status(std::span<const std::uint8_t>)>& out) {
  if (file_ == nullptr) {
    for (std::size_t off = 0; off < memory_.size(); off += kReplayChunk) {
      CARDINAL_RETURN_IF_ERROR(
          out(std::span<const std::uint8_t>(memory_).subspan(off, std::min(kReplayChunk, memory_.size() - off))));
    }
    return {};
  }
  if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0) {
    return Error{ErrorCode::kIo, "cannot read back the temporary attachment file"};
  }
  Bytes buf(kReplayChunk);
  for (;;) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), file_);
    if (n > 0) CARDINAL_RETURN_IF_ERROR(out(std::span<const std::uint8_t>(buf).first(n)));
    if (n < buf.size()) {
      if (std::ferror(file_) != 0) return Error{ErrorCode::kIo, "cannot read back the temporary attachment file"};
      return {};
    }
  }
}

}  // namespace cardinal::api
