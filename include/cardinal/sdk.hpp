// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The SDK's entry point: `CardinalSdk` and its APIs (the umbrella header: include this one).
///
/// ```cpp
/// cardinal::SdkOptions options;
/// options.base_url = "http://127.0.0.1:16043";
/// options.username = "alice";
/// options.password = cardinal::SecretBytes::from_string(password);
/// options.key_store = cardinal::keys::EncryptedFileKeyStore::open("alice.keys", passphrase).value();
/// options.strategies = my_verifying_strategies;   // which public keys the app trusts
/// auto sdk = cardinal::CardinalSdk::initialize(std::move(options));
/// if (!sdk.ok()) { /* sdk.error().code(), sdk.error().message() */ }
/// auto he = (*sdk)->health_elements().create(cardinal::Json{{"descr", "Asthma"}},
///                                             {.share_with = {{"hcp-bob", cardinal::AccessLevel::kRead}}});
/// ```
///
/// Thread safety: a `CardinalSdk` and the APIs it returns may be used from any number of threads
/// at once. Ownership: the APIs are owned by the `CardinalSdk` and valid as long as it lives. Callbacks
/// (strategies, tamper listener, log sink) are called from SDK threads.
///
/// The parts, each usable on its own: sdk/options.hpp (`SdkOptions`), sdk/types.hpp (the value
/// types: `CreateOptions`, `DecryptedEntity`, `ModifyOptions`…), sdk/entity_api.hpp,
/// sdk/sharing.hpp (what a share passes on and what it did), sdk/attachment_api.hpp,
/// sdk/crypto_api.hpp and sdk/cardinal_sdk.hpp.
///
/// Errors are values: every call returns `Result<T>` / `Status`. A tampered or undecryptable
/// record is an expected outcome (kTamperDetected, kDecryptionFailed, kKeyNotAvailable…), also
/// reported to `SdkOptions::on_tamper` when the SDK detected tampering.

#include <cardinal/access_level.hpp>
#include <cardinal/content/provenance.hpp>
#include <cardinal/result.hpp>
#include <cardinal/sdk/attachment_api.hpp>
#include <cardinal/sdk/cardinal_sdk.hpp>
#include <cardinal/sdk/crypto_api.hpp>
#include <cardinal/sdk/entity_api.hpp>
#include <cardinal/sdk/filters.hpp>
#include <cardinal/sdk/options.hpp>
#include <cardinal/sdk/sharing.hpp>
#include <cardinal/sdk/query.hpp>
#include <cardinal/sdk/typed_entity_api.hpp>
#include <cardinal/sdk/contact_api.hpp>
#include <cardinal/sdk/types.hpp>
#include <cardinal/tamper_report.hpp>
