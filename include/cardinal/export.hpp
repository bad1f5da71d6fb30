// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `CARDINAL_EXPORT` marks a declaration as part of the public ABI of Cardinal::sdk.
///
/// The library is compiled with hidden visibility: in a shared build only declarations carrying
/// CARDINAL_EXPORT are exported. Everything under src/ stays internal.
///
/// Thread safety and ownership: not applicable (a macro only).
#if defined(_WIN32)
/// Exports a declaration from the shared library (see the file comment).
#define CARDINAL_EXPORT
#else
/// Exports a declaration from the shared library (see the file comment).
#define CARDINAL_EXPORT __attribute__((visibility("default")))
#endif
