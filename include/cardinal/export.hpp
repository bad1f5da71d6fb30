// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// Marks a declaration as part of the public ABI of Cardinal::sdk.
///
/// The library is compiled with hidden visibility: in a shared build only declarations carrying
/// CARDINAL_EXPORT are exported. Everything under src/ stays internal.
#if defined(_WIN32)
#define CARDINAL_EXPORT
#else
#define CARDINAL_EXPORT __attribute__((visibility("default")))
#endif
