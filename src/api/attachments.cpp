// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore: the main attachment of Documents, streamed and encrypted both ways, with the
// integrity record this SDK keeps in the document (api/attachment_integrity.hpp).
#include "api/sdk_core.hpp"

#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/hash.hpp>

#include "api/attachment_integrity.hpp"
#include "api/entity_json.hpp"
#include "engine/json_encryption.hpp"

#include <algorithm>

namespace cardinal::api {

Result<DecryptedEntity> SdkCore::upload_attachment(const std::string& document_id,
                                             std::function<Result<std::size_t>(std::span<std::uint8_t>)> read_plain) {
  constexpr std::string_view kType = "Document";
  CARDINAL_ASSIGN_OR_RETURN(Json doc, options_.backend->get_entity(kType, document_id, request_keys(kType)));
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey key, content_key(doc, kType));
  CARDINAL_ASSIGN_OR_RETURN(auto encryptor, crypto::aes_cbc::StreamEncryptor::create(key));
  struct State {
    crypto::aes_cbc::StreamEncryptor enc;
    std::function<Result<std::size_t>(std::span<std::uint8_t>)> read;
    SecretBytes plain = SecretBytes::zeros(64 * 1024);
    crypto::Sha256Stream hash;  // of the plaintext, for the integrity record
    std::uint64_t length = 0;
    Bytes pending;
    std::size_t offset = 0;
    bool done = false;
  };
  auto state = std::make_shared<State>(State{std::move(encryptor), std::move(read_plain)});
  BodySource source = [state](std::span<std::uint8_t> out) -> Result<std::size_t> {
    while (state->offset == state->pending.size()) {
      if (state->done) return std::size_t{0};
      CARDINAL_ASSIGN_OR_RETURN(std::size_t n,
                                state->read(std::span<std::uint8_t>(state->plain.mutable_data(), state->plain.size())));
      if (n > state->plain.size()) return Error{ErrorCode::kInvalidArgument, "attachment reader overran its buffer"};
      if (n == 0) {
        CARDINAL_ASSIGN_OR_RETURN(state->pending, state->enc.finish());
        state->done = true;
      } else {
        state->length += n;
        if (state->length > kMaxAttachmentLength) {
          return Error{ErrorCode::kInvalidArgument, "attachment larger than 2^50 bytes"};
        }
        state->hash.update(state->plain.reveal().first(n));
        CARDINAL_ASSIGN_OR_RETURN(state->pending, state->enc.update(state->plain.reveal().first(n)));
      }
      state->offset = 0;
    }
    const std::size_t n = std::min(out.size(), state->pending.size() - state->offset);
    std::copy_n(state->pending.begin() + static_cast<std::ptrdiff_t>(state->offset), n, out.begin());
    state->offset += n;
    return n;
  };
  const std::string rev = string_member(doc, "rev");
  CARDINAL_ASSIGN_OR_RETURN(Json stored,
                            options_.backend->upload_attachment(document_id, rev, source, request_keys(kType)));
  if (!state->done) {
    return Error{ErrorCode::kMalformedResponse, "the server accepted the attachment of document " + document_id +
                                                    " before it was sent whole: upload it again"};
  }
  const AttachmentIntegrity record{state->hash.finish(), state->length};
  const std::string attachment_id = string_member(stored, "attachmentId");

  // Second step: the integrity record goes into the document's encrypted content, on the revision
  // the upload produced. A failure here is reported: the attachment is stored, its record is not.
  auto not_recorded = [&](const Error& cause) {
    return Error{cause.code(), "the attachment of document " + document_id +
                                   " was stored but its integrity record could not be saved (" + cause.message() +
                                   "): downloads cannot verify it (or report kTamperDetected if it replaced an "
                                   "attachment that had one) until it is uploaded again"};
  };
  Json current = std::move(stored);
  for (int attempt = 0;; ++attempt) {
    if (string_member(current, "attachmentId") != attachment_id) {
      return not_recorded(Error{ErrorCode::kConflict, "another upload replaced the attachment meanwhile"});
    }
    auto clear = decrypt(kType, current);
    if (!clear.ok()) return not_recorded(clear.error());
    clear->entity["hash"] = record.to_field();
    auto encrypted = encrypt_existing(kType, clear->entity);
    if (!encrypted.ok()) return not_recorded(encrypted.error());
    auto saved = options_.backend->modify_entity(kType, *encrypted, request_keys(kType));
    if (saved.ok()) {
      if (!same_delegations(*saved, *encrypted)) {
        warn(kType, document_id,
             Error{ErrorCode::kTamperDetected, "the server changed security metadata on the attachment update"});
      }
      return decrypt(kType, *saved);
    }
    if (saved.error().code() != ErrorCode::kConflict || attempt >= options_.max_conflict_retries) {
      return not_recorded(saved.error());
    }
    // Someone changed the document meanwhile: set the record on their revision.
    auto fresh = options_.backend->get_entity(kType, document_id, request_keys(kType));
    if (!fresh.ok()) return not_recorded(fresh.error());
    current = std::move(fresh).value();
  }
}

Result<AttachmentDownload> SdkCore::download_attachment(
    const std::string& document_id, std::function<Status(std::span<const std::uint8_t>)> write_plain,
    const AttachmentDownloadOptions& options) {
  constexpr std::string_view kType = "Document";
  CARDINAL_ASSIGN_OR_RETURN(Json doc, options_.backend->get_entity(kType, document_id, request_keys(kType)));
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey key, reading_key(doc, kType));
  AttachmentDownload result;
  // Keys of unverified provenance only, and more than one: the content, its record and the
  // attachment may all be the server's (decrypt() flags the same).
  bool ambiguous_key = false;
  if (auto access = entities_->open(doc, kType); access.ok() && access->verified_keys().empty() && access->keys.size() > 1) {
    ambiguous_key = true;
    std::string w = "document " + document_id + " carries " + std::to_string(access->keys.size()) +
                    " different entity keys, delivered by " + access->unverified_sources() +
                    ": which one is genuine cannot be verified, so neither can its attachment";
    warn(kType, document_id, Error{ErrorCode::kTamperDetected, w});
    result.warnings.push_back(std::move(w));
  }

  // The record counts only when it comes from the encrypted content: in clear, the server could
  // have written it.
  std::optional<AttachmentIntegrity> expected;
  std::string encrypted_value;
  if (auto es = doc.find("encryptedSelf"); es != doc.end() && !es->is_null()) {
    auto fields = es->is_string() ? engine::decrypt_json(Json{{"encryptedSelf", *es}}, {&key})
                                  : Result<Json>(Error{ErrorCode::kMalformedInput, "not a string"});
    if (!fields.ok()) {
      // Content that does not open with the document's key is not "no record": it was replaced.
      Error e{ErrorCode::kTamperDetected, "the encrypted content of document " + document_id +
                                              " (which holds its attachment integrity record) does not open with the "
                                              "document's key: it was altered on the server; nothing downloaded"};
      warn(kType, document_id, e);
      return e;
    }
    encrypted_value = string_member(*fields, "hash");
  }
  std::optional<std::string> unverifiable;
  if (is_integrity_field(encrypted_value)) {
    auto parsed = parse_integrity_field(encrypted_value);
    if (!parsed.ok() && parsed.error().code() == ErrorCode::kUnsupported) {
      unverifiable = "the attachment integrity record of document " + document_id +
                     " has a version this SDK does not know (written by a newer SDK?): its integrity could not be "
                     "verified";
    } else if (!parsed.ok()) {
      Error e{ErrorCode::kTamperDetected, "the attachment integrity record of document " + document_id +
                                              " is malformed (altered, or written by another program)"};
      warn(kType, document_id, e);
      return e;
    } else {
      expected = std::move(parsed).value();
    }
  }
  if (!expected) {
    std::string w = unverifiable ? *unverifiable
                                 : "the attachment of document " + document_id +
                                       " has no integrity record (written by another SDK?): its integrity could not "
                                       "be verified";
    if (!unverifiable && is_integrity_field(string_member(doc, "hash"))) {
      w = "the attachment integrity record of document " + document_id +
          " is stored in clear (the document was saved by an SDK that does not encrypt it, or by the server): it "
          "cannot be trusted, and the attachment's integrity could not be verified";
    }
    if (options.require_integrity_record) return Error{ErrorCode::kVerificationFailed, w};
    result.warnings.push_back(std::move(w));
  }

  CARDINAL_ASSIGN_OR_RETURN(auto verifier, AttachmentVerifier::create(key, expected, document_id));
  auto check = std::make_shared<AttachmentVerifier>(std::move(verifier));
  auto report = [&](const Status& st) -> Status {
    if (!st.ok() && st.error().code() == ErrorCode::kTamperDetected) warn(kType, document_id, st.error());
    return st;
  };

  if (options.delivery == AttachmentDelivery::kStreaming) {
    std::uint64_t written = 0;
    auto out = [&](std::span<const std::uint8_t> plain) -> Status {
      written += plain.size();
      return write_plain(plain);
    };
    BodySink sink = [check, &out](std::span<const std::uint8_t> chunk) -> Status { return check->update(chunk, out); };
    CARDINAL_RETURN_IF_ERROR(report(options_.backend->download_attachment(document_id, sink, request_keys(kType))));
    CARDINAL_RETURN_IF_ERROR(report(check->finish(out)));
    result.size = written;
    result.integrity_verified = expected.has_value() && !ambiguous_key;
    return result;
  }

  // Verified-only: the ciphertext is kept (memory, then an unlinked temporary file) and checked
  // whole before a single byte is written.
  auto spool = std::make_shared<CiphertextSpool>(options.max_in_memory_bytes, options.temp_directory);
  if (expected && expected->ciphertext_size() > options.max_in_memory_bytes) CARDINAL_RETURN_IF_ERROR(spool->use_file());
  BodySink sink = [check, spool](std::span<const std::uint8_t> chunk) -> Status {
    CARDINAL_RETURN_IF_ERROR(check->update(chunk, nullptr));
    return spool->append(chunk);
  };
  CARDINAL_RETURN_IF_ERROR(report(options_.backend->download_attachment(document_id, sink, request_keys(kType))));
  CARDINAL_RETURN_IF_ERROR(report(check->finish(nullptr)));
  // Second pass: decrypt again from the spool, and check it is what was verified.
  CARDINAL_ASSIGN_OR_RETURN(auto replay, AttachmentVerifier::create(
                                             key, AttachmentIntegrity{check->digest(), check->plaintext_size()},
                                             document_id));
  std::uint64_t written = 0;
  auto out = [&](std::span<const std::uint8_t> plain) -> Status {
    written += plain.size();
    return write_plain(plain);
  };
  CARDINAL_RETURN_IF_ERROR(spool->replay([&](std::span<const std::uint8_t> chunk) { return replay.update(chunk, out); }));
  CARDINAL_RETURN_IF_ERROR(replay.finish(out));
  result.size = written;
  result.integrity_verified = expected.has_value() && !ambiguous_key;
  return result;
}

}  // namespace cardinal::api
