// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// CouchDB revisions ("N-hash"): the generation N, which orders the revisions of one record (the
// rollback checks of the TrackingBackend's TrustState and of the ExchangeDataManager).

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace cardinal::internal {

/// The generation N of a CouchDB revision "N-hash" (N a decimal ≥ 0); nullopt for any other form.
inline std::optional<std::uint64_t> revision_generation(std::string_view rev) {
  const auto dash = rev.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 19) return std::nullopt;
  std::uint64_t n = 0;
  const char* first = rev.data();
  const char* last = rev.data() + dash;
  auto [ptr, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return n;
}

/// Whether `rev` is older than a revision of generation `seen`: a lower generation, or none (the
/// server always numbers its revisions: a record that loses its number cannot be told newer).
inline bool older_revision(std::string_view rev, std::uint64_t seen) {
  const auto n = revision_generation(rev);
  return !n || *n < seen;
}

}  // namespace cardinal::internal
