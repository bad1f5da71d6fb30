// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `AttachmentApi`: the main attachment of Documents, encrypted and streamed both ways.
///
/// Thread safety: an `AttachmentApi` may be used from any number of threads at once (each call
/// with its own streams: a stream is used by the calling thread only, during the call).
/// Ownership: owned by the `CardinalSdk` that returned it and valid as long as that lives; the
/// streams stay the caller's.

#include <cardinal/export.hpp>
#include <cardinal/result.hpp>
#include <cardinal/sdk/types.hpp>

#include <iosfwd>
#include <string>

namespace cardinal {

/// The main attachment of Documents, encrypted with the document's key in the platform format
/// (AES-256-CBC, IV prepended, no MAC) and streamed both ways.
///
/// Integrity: `upload` also stores the plaintext's length and SHA-256 in the document's encrypted
/// content (its `hash` field, see docs/interoperability.md) and `download` checks them, so that a
/// server that removes, reorders, flips, truncates or appends bytes is detected (kTamperDetected).
/// Attachments written by other SDKs have no such record: they download with a warning.
///
/// Size: a download is bounded by the transport's response limit (`CurlTransportOptions::
/// max_response_bytes`, 64 MiB by default): raise it for larger attachments.
class CARDINAL_EXPORT AttachmentApi {
 public:
  virtual ~AttachmentApi() = default;
  /// Encrypts everything `in` yields, stores it as the main attachment of the document, then
  /// saves the integrity record in the document (a second request, on the revision the upload
  /// produced). Returns the document as saved. Errors: transport and server errors; when the
  /// attachment was stored but the record could not be saved, the error says so (upload again).
  virtual Result<DecryptedEntity> upload(const std::string& document_id, std::istream& in) = 0;
  /// Writes the decrypted attachment to `out` (see `AttachmentDelivery`). Errors: kTamperDetected
  /// (does not match its integrity record, the record is malformed, or the document's encrypted
  /// content, which holds the record, does not open with its key), kDecryptionFailed (no
  /// record and the data does not decrypt), kVerificationFailed (no record and
  /// `require_integrity_record`), kMalformedResponse (larger than the transport accepts), kIo,
  /// transport errors.
  virtual Result<AttachmentDownload> download(const std::string& document_id, std::ostream& out,
                                              const AttachmentDownloadOptions& options = {}) = 0;
};

}  // namespace cardinal
