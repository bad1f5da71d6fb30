#include "util.hpp"

#include <array>
#include <chrono>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace devserver {

namespace {
constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kB64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int b64_value(char c, bool url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (!url && c == '+') return 62;
  if (!url && c == '/') return 63;
  if (url && c == '-') return 62;
  if (url && c == '_') return 63;
  return -1;
}

std::string encode_with(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = at(i) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

std::optional<std::string> decode_with(std::string_view text, bool url) {
  std::size_t len = text.size();
  std::size_t padding = 0;
  if (!url) {
    if (len % 4 != 0) return std::nullopt;
    while (padding < 2 && len > 0 && text[len - 1] == '=') {
      --len;
      ++padding;
    }
  } else if (len % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(len * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    const int v = b64_value(text[i], url);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFFu);
    }
  }
  // Unused trailing bits must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1u << bits) - 1u)) != 0) return std::nullopt;
  (void)padding;
  return out;
}
}  // namespace

std::string sha256_raw(std::string_view data) {
  std::array<unsigned char, 32> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("sha256 failed");
  }
  return {reinterpret_cast<const char*>(md.data()), len};
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256_raw(data)); }

std::string hmac_sha256_raw(std::string_view key, std::string_view data) {
  std::array<unsigned char, 32> md{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data(), &len) == nullptr) {
    throw std::runtime_error("hmac failed");
  }
  return {reinterpret_cast<const char*>(md.data()), len};
}

std::string hex_encode(std::string_view bytes) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nib(hex[i]);
    const int lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

bool is_lower_hex(std::string_view s, std::size_t len) {
  if (s.size() != len) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

std::string random_hex(std::size_t nbytes) { return hex_encode(random_bytes(nbytes)); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64_encode(std::string_view bytes) { return encode_with(bytes, kB64, true); }
std::optional<std::string> base64_decode_strict(std::string_view text) { return decode_with(text, false); }
std::string base64url_encode(std::string_view bytes) { return encode_with(bytes, kB64Url, false); }
std::optional<std::string> base64url_decode(std::string_view text) { return decode_with(text, true); }

namespace {
constexpr int kPbkdf2Iterations = 20000;

std::string pbkdf2(std::string_view password, std::string_view salt, int iterations) {
  std::array<unsigned char, 32> out{};
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                        iterations, EVP_sha256(), static_cast<int>(out.size()), out.data()) != 1) {
    throw std::runtime_error("pbkdf2 failed");
  }
  return {reinterpret_cast<const char*>(out.data()), out.size()};
}
}  // namespace

std::string password_hash(std::string_view password) {
  const std::string salt = random_bytes(16);
  return "pbkdf2-sha256$" + std::to_string(kPbkdf2Iterations) + "$" + hex_encode(salt) + "$" +
         hex_encode(pbkdf2(password, salt, kPbkdf2Iterations));
}

bool password_verify(std::string_view password, std::string_view stored) {
  // pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>
  const std::string s(stored);
  const auto p1 = s.find('$');
  const auto p2 = p1 == std::string::npos ? p1 : s.find('$', p1 + 1);
  const auto p3 = p2 == std::string::npos ? p2 : s.find('$', p2 + 1);
  if (p3 == std::string::npos || s.substr(0, p1) != "pbkdf2-sha256") return false;
  int iterations = 0;
  try {
    iterations = std::stoi(s.substr(p1 + 1, p2 - p1 - 1));
  } catch (const std::exception&) {
    return false;
  }
  if (iterations <= 0 || iterations > 10'000'000) return false;
  const auto salt = hex_decode(s.substr(p2 + 1, p3 - p2 - 1));
  const auto expected = hex_decode(s.substr(p3 + 1));
  if (!salt || !expected) return false;
  return constant_time_equal(pbkdf2(password, *salt, iterations), *expected);
}

namespace {
// Serialises `j` so that its base64 has no padding and no '+' or '/' (then standard base64 and
// base64url coincide). For 7-bit input only the last character of a 3-byte group can be one of
// '>', '?', '~', DEL that map to 62/63, so those are escaped and the length padded with spaces.
std::string jwt_segment(const json& j) {
  std::string text = j.dump(-1, ' ', true);
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '>': escaped += "\\u003e"; break;
      case '?': escaped += "\\u003f"; break;
      case '~': escaped += "\\u007e"; break;
      case '\x7f': escaped += "\\u007f"; break;
      default: escaped += c;
    }
  }
  while (escaped.size() % 3 != 0) escaped.insert(escaped.size() - 1, " ");
  return base64url_encode(escaped);
}
}  // namespace

std::string jwt_make(const json& payload, std::string_view secret) {
  const std::string signing_input = jwt_segment(json{{"alg", "HS256"}, {"typ", "JWT"}}) + "." + jwt_segment(payload);
  return signing_input + "." + base64url_encode(hmac_sha256_raw(secret, signing_input));
}

std::optional<json> jwt_verify(std::string_view token, std::string_view secret) {
  const auto d1 = token.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  const auto d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) return std::nullopt;
  const auto signing_input = token.substr(0, d2);
  const auto sig = base64url_decode(token.substr(d2 + 1));
  if (!sig || !constant_time_equal(*sig, hmac_sha256_raw(secret, signing_input))) return std::nullopt;
  const auto payload = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  if (!payload) return std::nullopt;
  if (!json_depth_within(*payload, 8)) return std::nullopt;
  json j = json::parse(*payload, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  const auto exp = j.find("exp");
  if (exp == j.end() || !exp->is_number_integer() || exp->get<std::int64_t>() <= now_s()) return std::nullopt;
  return j;
}

bool json_depth_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
std::int64_t now_s() { return now_ms() / 1000; }

}  // namespace devserver
