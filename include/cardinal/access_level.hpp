// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The permission a share gives and a secure delegation carries.
///
/// Thread safety: a plain enum, thread-safe. Ownership: a value, nothing to own.
///
/// One type for the concept across the layers: the typed delegation views
/// (`model::SecureDelegation::permissions`), the engine's share requests and the public API
/// (`EntityApi::share`, `CreateOptions::share_with`) all use it.

namespace cardinal {

/// Read only, or read and write: the platform's `READ` / `WRITE` permissions of a delegation.
enum class AccessLevel { kRead, kWrite };

}  // namespace cardinal
