// Small helpers for the devserver: hashing, base64, hex, JWT. OpenSSL only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace devserver {

using json = nlohmann::json;

std::string sha256_raw(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256_raw(std::string_view key, std::string_view data);
std::string hex_encode(std::string_view bytes);
std::optional<std::string> hex_decode(std::string_view hex);
bool is_lower_hex(std::string_view s, std::size_t len);
std::string random_bytes(std::size_t n);
std::string random_hex(std::size_t nbytes);
bool constant_time_equal(std::string_view a, std::string_view b);

// Standard alphabet with padding.
std::string base64_encode(std::string_view bytes);
// Strict standard-alphabet decoder (padding required, no whitespace).
std::optional<std::string> base64_decode_strict(std::string_view text);
// base64url without padding (JWT segments).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

std::string password_hash(std::string_view password);
bool password_verify(std::string_view password, std::string_view stored);

// JWT with an HMAC-SHA256 signature. The header and payload segments are made to be valid both as
// base64url and as standard base64 without padding (clients decode them either way).
std::string jwt_make(const json& payload, std::string_view secret);
std::optional<json> jwt_verify(std::string_view token, std::string_view secret);

// Whether `text` nests arrays and objects at most `max_depth` levels deep, by a linear scan that
// honours strings and escapes. Run it before json::parse: a tree nested 100000 levels deep would
// later be copied, compared and serialised recursively (stack overflow).
bool json_depth_within(std::string_view text, std::size_t max_depth);

std::int64_t now_ms();
std::int64_t now_s();

}  // namespace devserver
