// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Strict hex and base64 codecs (the platform's encodings: lowercase hex, standard base64 with
/// padding). Decoders reject anything not in canonical form: odd length, foreign characters,
/// whitespace, missing or misplaced padding, non-zero trailing bits.
///
/// Thread safety: thread-safe (pure functions).
///
/// Ownership: inputs are borrowed for the call; results are new values the caller owns (decoded
/// key material in `SecretBytes`).

#include <cardinal/bytes.hpp>
#include <cardinal/export.hpp>
#include <cardinal/result.hpp>
#include <cardinal/secret.hpp>

#include <string>
#include <string_view>

namespace cardinal::crypto {

/// Lowercase hex of `bytes`.
CARDINAL_EXPORT std::string hex_encode(ByteView bytes);
/// Decodes hex (upper or lower case accepted). Errors: `kMalformedInput`.
CARDINAL_EXPORT Result<Bytes> hex_decode(std::string_view hex);
/// Decodes hex into wiped-on-release memory (for key material). Errors: `kMalformedInput`.
CARDINAL_EXPORT Result<SecretBytes> hex_decode_secret(std::string_view hex);

/// Standard base64 with padding.
CARDINAL_EXPORT std::string base64_encode(ByteView bytes);
/// Decodes canonical standard base64 with padding. Errors: `kMalformedInput`.
CARDINAL_EXPORT Result<Bytes> base64_decode(std::string_view b64);
/// Decodes base64 into wiped-on-release memory. Errors: `kMalformedInput`.
CARDINAL_EXPORT Result<SecretBytes> base64_decode_secret(std::string_view b64);

}  // namespace cardinal::crypto
