// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `SdkOptions`: everything `CardinalSdk::initialize` needs.
///
/// Thread safety: a plain value, filled by one thread before `initialize`. Ownership:
/// `initialize` takes the options by value; the shared objects in them (transport, auth, key
/// store, strategies) are shared with the SDK and must be thread-safe, since the SDK calls them
/// from any thread; the callbacks (`on_tamper`, the strategies) are called from SDK threads.

#include <cardinal/http/auth.hpp>
#include <cardinal/keys/crypto_strategies.hpp>
#include <cardinal/http/transport.hpp>
#include <cardinal/keys/key_store.hpp>
#include <cardinal/content/manifest.hpp>
#include <cardinal/secret.hpp>
#include <cardinal/tamper_report.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace cardinal {

/// Everything `CardinalSdk::initialize` needs. `base_url`, credentials (`username`/`password` or
/// `auth`), `key_store` and `strategies` are required.
struct SdkOptions {
  /// The backend, e.g. "https://api.icure.cloud" or a local cardinal-devserver.
  std::string base_url;
  /// Username/password login (or set `auth`).
  std::string username;
  SecretBytes password;  ///< password of `username` (wiped on release)
  /// Bring your own tokens instead of username/password.
  std::shared_ptr<AuthProvider> auth;
  /// Default: a CurlTransport with default options.
  std::shared_ptr<HttpTransport> transport;
  RetryOptions retry;  ///< when requests that are safe to repeat are retried
  /// Required: where this device keeps its private keys.
  std::shared_ptr<keys::KeyStore> key_store;
  /// Required: which public keys the application trusts (see crypto_strategies.hpp).
  std::shared_ptr<CryptoStrategies> strategies;
  /// Called for every tampering the SDK detects.
  TamperListener on_tamper;
  /// Decrypted exchange data kept in memory (one RSA decryption each).
  std::size_t exchange_data_cache_size = 500;
  /// Encrypted-fields manifests by entity type, overriding the platform defaults.
  std::map<std::string, EncryptedFieldsManifest> manifests;
  /// A recovery key (from `CryptoApi::create_recovery_key`): on a new device, the key pairs it
  /// unlocks are restored into `key_store` before anything else.
  SecretBytes recovery_key;
  /// Optional file (keep it next to the key store) where the SDK remembers, across sessions, what
  /// the server served: the highest revision of each record (an older one afterwards is reported
  /// as tampering), the OAEP hash each verified key was verified for (a key moved between the
  /// OAEP lists is reported and not used with the new hash) and the OAEP hash of the exchange
  /// data it created (exchange data its delegate cannot open is not reused). Empty: the same
  /// checks, for this session only. A damaged file fails `initialize` with kMalformedInput.
  std::filesystem::path trust_state_file;
  /// Records remembered per list of that state (least recently seen forgotten first).
  std::size_t trust_state_capacity = 10000;
};

}  // namespace cardinal
