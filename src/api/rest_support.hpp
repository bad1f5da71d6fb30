// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Small helpers shared by the files of RestBackend (rest_backend.cpp, rest_backend_bulk.cpp).

#include <cardinal/result.hpp>

#include <string>
#include <string_view>

namespace cardinal::api::rest_internal {

inline std::string escape_segment(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

inline Error malformed_response(std::string_view what) {
  return Error{ErrorCode::kMalformedResponse, "unexpected answer from the server: " + std::string(what)};
}

// "HealthElement 'id'": how an error names an entity.
inline std::string entity_subject(std::string_view type, const std::string& id) {
  return std::string(type) + " '" + id + "'";
}

// Parsing errors of server data are malformed responses, not malformed input.
template <typename T>
Result<T> from_server(Result<T> r) {
  if (r.ok()) return r;
  return malformed_response(r.error().message());
}

}  // namespace cardinal::api::rest_internal
