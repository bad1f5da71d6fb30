// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Byte-string vocabulary types for non-secret data (ciphertext, public keys, hashes).
/// Secret data uses `cardinal::SecretBytes` (secret.hpp).
///
/// Thread safety: the standard library's rules (`Bytes` is a `std::vector`, `ByteView` a
/// `std::span`): concurrent reads are safe.
///
/// Ownership: `Bytes` owns its bytes; `ByteView` and `as_bytes` borrow them: the viewed memory
/// must outlive the view.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace cardinal {

/// Owned, non-secret bytes.
using Bytes = std::vector<std::uint8_t>;
/// A read-only view of bytes.
using ByteView = std::span<const std::uint8_t>;

/// Views the bytes of a string (no copy).
inline ByteView as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};  // NOLINT
}

}  // namespace cardinal
