// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/recovery.hpp"

#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>

#include <cctype>
#include <cstring>

namespace cardinal::api {

namespace {
constexpr char kB32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kMaxRecord = 1024 * 1024;
}  // namespace

std::string recovery_key_to_text(const SecretBytes& key) {
  std::string b32;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : key.reveal()) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      b32 += kB32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) b32 += kB32[(buffer << (5 - bits)) & 31];
  std::string out;
  for (std::size_t i = 0; i < b32.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += b32[i];
  }
  detail::secure_wipe(b32.data(), b32.size());
  return out;
}

Result<SecretBytes> recovery_key_from_text(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c == '-' || c == ' ') continue;
    compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  // Hex of 16 or 32 bytes.
  if ((compact.size() == 32 || compact.size() == 64) &&
      compact.find_first_not_of("0123456789ABCDEF") == std::string::npos) {
    auto raw = crypto::hex_decode_secret(compact);
    detail::secure_wipe(compact.data(), compact.size());
    return raw;
  }
  auto out = SecretBytes::zeros(compact.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t n = 0;
  for (char c : compact) {
    const char* p = std::strchr(kB32, c);
    if (p == nullptr || c == '\0') {
      detail::secure_wipe(compact.data(), compact.size());
      return Error{ErrorCode::kMalformedInput, "recovery key: invalid character"};
    }
    buffer = (buffer << 5) | static_cast<std::uint32_t>(p - kB32);
    bits += 5;
    if (bits >= 8) {
      if (n < out.size()) out.mutable_data()[n++] = static_cast<std::uint8_t>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  detail::secure_wipe(compact.data(), compact.size());
  if (n != 16 && n != 32) return Error{ErrorCode::kMalformedInput, "recovery key: must be 16 or 32 bytes"};
  out.truncate(n);
  return out;
}

std::string recovery_data_id(const SecretBytes& key) { return crypto::hex_encode(crypto::sha256(key.reveal())); }

Result<Json> seal_key_pairs(const SecretBytes& key, const std::string& recipient,
                            const std::map<std::string, std::vector<crypto::RsaPrivateKey>>& pairs,
                            std::optional<std::int64_t> expiration_ms) {
  Json content = Json::object();
  for (const auto& [owner, list] : pairs) {
    Json arr = Json::array();
    for (const auto& k : list) {
      CARDINAL_ASSIGN_OR_RETURN(SecretBytes der, k.pkcs8_der());
      arr.push_back(Json{{"pair", Json{{"publicKey", crypto::base64_encode(k.public_key().spki_der())},
                                       {"privateKey", crypto::base64_encode(der.reveal())}}},
                         {"algorithm", k.hash() == crypto::RsaOaepHash::kSha1 ? "sha-1" : "sha-256"}});
    }
    content[owner] = arr;
  }
  std::string text = content.dump();
  for (auto& [owner, arr] : content.items()) {
    for (auto& e : arr) {
      auto& s = e["pair"]["privateKey"].get_ref<std::string&>();
      detail::secure_wipe(s.data(), s.size());
    }
  }
  CARDINAL_ASSIGN_OR_RETURN(auto aes, crypto::AesKey::create(key));
  auto ct = crypto::aes_cbc::encrypt(aes, as_bytes(text));
  detail::secure_wipe(text.data(), text.size());
  if (!ct.ok()) return ct.error();
  Json record = Json{{"id", recovery_data_id(key)},
                     {"recipient", recipient},
                     {"encryptedSelf", crypto::base64_encode(*ct)},
                     {"type", "KEYPAIR_RECOVERY"}};
  if (expiration_ms) record["expirationInstant"] = *expiration_ms;
  return record;
}

Result<std::map<std::string, std::vector<crypto::RsaPrivateKey>>> open_key_pairs(const Json& record,
                                                                                 const SecretBytes& key,
                                                                                 const std::string& recipient) {
  if (!record.is_object() || string_member(record, "id", "") != recovery_data_id(key) ||
      string_member(record, "type", "") != "KEYPAIR_RECOVERY" || string_member(record, "recipient", "") != recipient) {
    return Error{ErrorCode::kTamperDetected, "recovery data has another id, type or recipient than expected"};
  }
  const std::string b64 = string_member(record, "encryptedSelf", "");
  if (b64.size() > kMaxRecord) return Error{ErrorCode::kMalformedInput, "recovery data too large"};
  CARDINAL_ASSIGN_OR_RETURN(Bytes ct, crypto::base64_decode(b64));
  CARDINAL_ASSIGN_OR_RETURN(auto aes, crypto::AesKey::create(key));
  CARDINAL_ASSIGN_OR_RETURN(SecretBytes plain, crypto::aes_cbc::decrypt(aes, ct));
  auto content = parse_json(plain.reveal_as_text());
  if (!content.ok() || !content->is_object())
    return Error{ErrorCode::kDecryptionFailed, "recovery data does not decrypt"};
  std::map<std::string, std::vector<crypto::RsaPrivateKey>> out;
  for (const auto& [owner, arr] : content->items()) {
    if (!arr.is_array()) return Error{ErrorCode::kMalformedInput, "recovery data content is malformed"};
    for (const auto& e : arr) {
      if (!e.is_object() || !e.contains("pair") || !e["pair"].is_object()) {
        return Error{ErrorCode::kMalformedInput, "recovery data content is malformed"};
      }
      const auto hash =
          string_member(e, "algorithm", "sha-256") == "sha-1" ? crypto::RsaOaepHash::kSha1 : crypto::RsaOaepHash::kSha256;
      CARDINAL_ASSIGN_OR_RETURN(SecretBytes der, crypto::base64_decode_secret(string_member(e["pair"], "privateKey")));
      CARDINAL_ASSIGN_OR_RETURN(Bytes spki, crypto::base64_decode(string_member(e["pair"], "publicKey")));
      CARDINAL_ASSIGN_OR_RETURN(auto k, crypto::RsaPrivateKey::from_pkcs8_der(der.reveal(), hash));
      if (k.public_key().spki_der() != spki) {
        return Error{ErrorCode::kTamperDetected, "a recovered private key does not match its public key"};
      }
      out[owner].push_back(std::move(k));
    }
  }
  return out;
}

}  // namespace cardinal::api
