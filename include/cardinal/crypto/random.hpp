// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Cryptographically secure random bytes from OpenSSL's DRBG (`RAND_bytes`).
///
/// Thread safety: thread-safe.
///
/// Ownership: every result is a new value the caller owns.

#include <cardinal/bytes.hpp>
#include <cardinal/export.hpp>
#include <cardinal/result.hpp>
#include <cardinal/secret.hpp>

#include <cstddef>
#include <string>

namespace cardinal::crypto {

/// `size` random bytes for non-secret use (IVs, nonces, ids). Errors: `kInternal`.
CARDINAL_EXPORT Result<Bytes> random_bytes(std::size_t size);
/// `size` random bytes for key material. Errors: `kInternal`.
CARDINAL_EXPORT Result<SecretBytes> random_secret(std::size_t size);
/// A random UUID v4 in its canonical lowercase text form (entity and record ids).
CARDINAL_EXPORT Result<std::string> random_uuid();

}  // namespace cardinal::crypto
