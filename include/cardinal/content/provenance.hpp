// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Where the keys that open an entity came from.
///
/// Thread safety and ownership: a plain enum value; thread-safe, copied freely.

namespace cardinal {

/// Origin of an entity's key (and of its secret ids and owning-entity ids) as this user obtained it.
///
/// Only exchange data created by the current user (or by a member of its hierarchy whose verified
/// private key this device holds) can be authenticated: its delegator signature is checked with
/// that key. Exchange data claiming to come from any other data owner could have been written by a
/// compromised server (the platform format cannot prove its origin), so what it delivers is
/// `kUnverified`: the SDK decrypts existing content with it, but never encrypts new content under
/// it (see `EntityApi::accept_shared_key`).
enum class Provenance {
  kVerified,    ///< came through exchange data this user (or its hierarchy) created and verified
  kUnverified,  ///< came only through exchange data of another data owner, whose origin cannot be proven
};

}  // namespace cardinal
