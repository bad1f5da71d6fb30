// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/random.hpp>
#include <cardinal/json.hpp>
#include <cardinal/keys/key_store.hpp>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "common/files.hpp"

#include <chrono>

namespace cardinal::keys {

namespace {

constexpr char kMagic[4] = {'C', 'K', 'S', '1'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kHeaderSize = 4 + 1 + 1 + 4 + 4 + kSaltSize + crypto::aes_gcm::kNonceSize;
constexpr std::size_t kMaxFileSize = 16 * 1024 * 1024;

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void put_u32(Bytes& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>((v >> s) & 0xFF));
}
std::uint32_t get_u32(ByteView in, std::size_t at) {
  return (static_cast<std::uint32_t>(in[at]) << 24) | (static_cast<std::uint32_t>(in[at + 1]) << 16) |
         (static_cast<std::uint32_t>(in[at + 2]) << 8) | in[at + 3];
}

Status check_params(const ScryptParams& p) {
  if (p.log2_n < 10 || p.log2_n > 20 || p.r < 1 || p.r > 32 || p.p < 1 || p.p > 16) {
    return Error{ErrorCode::kMalformedInput, "key store: unsupported scrypt parameters"};
  }
  return {};
}

Result<crypto::AesKey> derive(const SecretBytes& passphrase, ByteView salt, const ScryptParams& p) {
  CARDINAL_RETURN_IF_ERROR(check_params(p));
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
  if (kdf == nullptr) return Error{ErrorCode::kInternal, "scrypt unavailable"};
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return Error{ErrorCode::kInternal, "scrypt context"};
  std::uint64_t n = std::uint64_t{1} << p.log2_n;
  std::uint32_t r = p.r, par = p.p;
  std::uint64_t maxmem = 1024ull * 1024 * 1024;
  static unsigned char empty[1] = {0};
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_PASSWORD,
          passphrase.empty() ? empty : const_cast<std::uint8_t*>(passphrase.reveal().data()),  // NOLINT
          passphrase.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()),
                                        salt.size()),  // NOLINT
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end()};
  auto key = SecretBytes::zeros(32);
  const int ok = EVP_KDF_derive(ctx, key.mutable_data(), key.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) return Error{ErrorCode::kInternal, "scrypt derivation failed"};
  return crypto::AesKey::create(std::move(key));
}

using Entries = std::vector<std::pair<std::string, StoredKey>>;

Result<Bytes> encode(const Entries& entries, const SecretBytes& passphrase, const ScryptParams& p) {
  Json doc = Json{{"keys", Json::array()}};
  for (const auto& [owner, k] : entries) {
    CARDINAL_ASSIGN_OR_RETURN(SecretBytes der, k.key.pkcs8_der());
    doc["keys"].push_back(Json{{"owner", owner},
                               {"pkcs8", crypto::base64_encode(der.reveal())},
                               {"hash", k.key.hash() == crypto::RsaOaepHash::kSha1 ? "sha1" : "sha256"},
                               {"verified", k.verified},
                               {"created", k.created_at}});
  }
  std::string text = doc.dump();
  for (auto& k : doc["keys"]) {
    auto& s = k["pkcs8"].get_ref<std::string&>();
    detail::secure_wipe(s.data(), s.size());
  }
  const SecretBytes plain = SecretBytes::from_string(text);
  detail::secure_wipe(text.data(), text.size());

  CARDINAL_ASSIGN_OR_RETURN(Bytes salt, crypto::random_bytes(kSaltSize));
  CARDINAL_ASSIGN_OR_RETURN(Bytes nonce, crypto::random_bytes(crypto::aes_gcm::kNonceSize));
  Bytes out(kMagic, kMagic + 4);
  out.push_back(kVersion);
  out.push_back(p.log2_n);
  put_u32(out, p.r);
  put_u32(out, p.p);
  out.insert(out.end(), salt.begin(), salt.end());
  out.insert(out.end(), nonce.begin(), nonce.end());
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey key, derive(passphrase, salt, p));
  CARDINAL_ASSIGN_OR_RETURN(Bytes body, crypto::aes_gcm::encrypt(key, nonce, plain.reveal(), out));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace

// ----- InMemoryKeyStore -----

Result<std::vector<StoredKey>> InMemoryKeyStore::keys_of(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = keys_.find(id);
  return it == keys_.end() ? std::vector<StoredKey>{} : it->second;
}

Status InMemoryKeyStore::put(const std::string& id, const crypto::RsaPrivateKey& key, bool verified) {
  std::lock_guard lock(mutex_);
  auto& list = keys_[id];
  for (auto& k : list) {
    if (k.key.public_key() == key.public_key()) {
      k.verified = verified;
      return {};
    }
  }
  list.push_back(StoredKey{key, verified, now()});
  return {};
}

Result<std::vector<std::string>> InMemoryKeyStore::data_owners() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [id, list] : keys_) {
    if (!list.empty()) out.push_back(id);
  }
  return out;
}

Status InMemoryKeyStore::remove_all(const std::string& id) {
  std::lock_guard lock(mutex_);
  keys_.erase(id);
  return {};
}

// ----- EncryptedFileKeyStore -----

EncryptedFileKeyStore::EncryptedFileKeyStore(std::filesystem::path path, SecretBytes passphrase, ScryptParams params)
    : path_(std::move(path)), passphrase_(std::move(passphrase)), params_(params) {}

Result<Entries> EncryptedFileKeyStore::decode(ByteView file, const SecretBytes& passphrase) {
  if (file.size() < kHeaderSize + crypto::aes_gcm::kTagSize || !std::equal(kMagic, kMagic + 4, file.begin())) {
    return Error{ErrorCode::kMalformedInput, "not a cardinal key store file"};
  }
  if (file[4] != kVersion) return Error{ErrorCode::kMalformedInput, "unsupported key store version"};
  const ScryptParams p{file[5], get_u32(file, 6), get_u32(file, 10)};
  CARDINAL_RETURN_IF_ERROR(check_params(p));
  const ByteView header = file.first(kHeaderSize);
  const ByteView salt = file.subspan(14, kSaltSize);
  const ByteView nonce = file.subspan(14 + kSaltSize, crypto::aes_gcm::kNonceSize);
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey key, derive(passphrase, salt, p));
  auto plain = crypto::aes_gcm::decrypt(key, nonce, file.subspan(kHeaderSize), header);
  if (!plain.ok()) {
    // AES-GCM cannot tell a wrong passphrase from a changed byte: both are reported as the
    // credential problem the user can act on.
    return Error{ErrorCode::kUnauthenticated,
                 "key store: wrong passphrase, or the file is corrupted (the two cannot be told apart); "
                 "the file was left as it is: retry with the right passphrase or restore the file from a backup"};
  }
  auto doc = parse_json(plain->reveal_as_text());
  if (!doc.ok() || !doc->is_object() || !doc->contains("keys") || !(*doc)["keys"].is_array()) {
    return Error{ErrorCode::kMalformedInput, "key store content is malformed"};
  }
  Entries out;
  for (const auto& k : (*doc)["keys"]) {
    if (!k.is_object() || !k.contains("owner") || !k["owner"].is_string() || !k.contains("pkcs8") ||
        !k["pkcs8"].is_string() || !k.contains("verified") || !k["verified"].is_boolean()) {
      return Error{ErrorCode::kMalformedInput, "key store entry is malformed"};
    }
    CARDINAL_ASSIGN_OR_RETURN(SecretBytes der, crypto::base64_decode_secret(k["pkcs8"].get<std::string>()));
    const auto hash = string_member(k, "hash", "sha256") == "sha1" ? crypto::RsaOaepHash::kSha1 : crypto::RsaOaepHash::kSha256;
    CARDINAL_ASSIGN_OR_RETURN(auto key_pair, crypto::RsaPrivateKey::from_pkcs8_der(der.reveal(), hash));
    const std::int64_t created =
        k.contains("created") && k["created"].is_number_integer() ? k["created"].get<std::int64_t>() : 0;
    out.emplace_back(k["owner"].get<std::string>(), StoredKey{std::move(key_pair), k["verified"].get<bool>(), created});
  }
  return out;
}

Result<std::shared_ptr<EncryptedFileKeyStore>> EncryptedFileKeyStore::open(std::filesystem::path path,
                                                                           SecretBytes passphrase,
                                                                           ScryptParams params) {
  CARDINAL_RETURN_IF_ERROR(check_params(params));
  std::shared_ptr<EncryptedFileKeyStore> store(new EncryptedFileKeyStore(path, std::move(passphrase), params));
  internal::FileLock lock(store->path_);
  if (!lock.ok()) return Error{ErrorCode::kIo, "key store: cannot lock " + path.string()};
  CARDINAL_ASSIGN_OR_RETURN(auto existing, internal::read_file(store->path_, kMaxFileSize));
  if (existing) {
    CARDINAL_RETURN_IF_ERROR(decode(*existing, store->passphrase_).status());  // checks the passphrase now
  } else {
    CARDINAL_ASSIGN_OR_RETURN(Bytes empty, encode({}, store->passphrase_, store->params_));
    CARDINAL_RETURN_IF_ERROR(internal::write_atomically(store->path_, empty));
  }
  return store;
}

Result<std::vector<StoredKey>> EncryptedFileKeyStore::keys_of(const std::string& id) {
  std::lock_guard guard(mutex_);
  internal::FileLock lock(path_);
  CARDINAL_ASSIGN_OR_RETURN(auto data, internal::read_file(path_, kMaxFileSize));
  if (!data) return Error{ErrorCode::kIo, "key store file disappeared"};
  CARDINAL_ASSIGN_OR_RETURN(auto entries, decode(*data, passphrase_));
  std::vector<StoredKey> out;
  for (auto& [owner, k] : entries) {
    if (owner == id) out.push_back(std::move(k));
  }
  return out;
}

Status EncryptedFileKeyStore::put(const std::string& id, const crypto::RsaPrivateKey& key, bool verified) {
  std::lock_guard guard(mutex_);
  internal::FileLock lock(path_);
  if (!lock.ok()) return Error{ErrorCode::kIo, "key store: cannot lock"};
  CARDINAL_ASSIGN_OR_RETURN(auto data, internal::read_file(path_, kMaxFileSize));
  Entries entries;
  if (data) {
    CARDINAL_ASSIGN_OR_RETURN(entries, decode(*data, passphrase_));
  }
  bool found = false;
  for (auto& [owner, k] : entries) {
    if (owner == id && k.key.public_key() == key.public_key()) {
      k.verified = verified;
      found = true;
    }
  }
  if (!found) entries.emplace_back(id, StoredKey{key, verified, now()});
  CARDINAL_ASSIGN_OR_RETURN(Bytes out, encode(entries, passphrase_, params_));
  return internal::write_atomically(path_, out);
}

Result<std::vector<std::string>> EncryptedFileKeyStore::data_owners() {
  std::lock_guard guard(mutex_);
  internal::FileLock lock(path_);
  CARDINAL_ASSIGN_OR_RETURN(auto data, internal::read_file(path_, kMaxFileSize));
  if (!data) return std::vector<std::string>{};
  CARDINAL_ASSIGN_OR_RETURN(auto entries, decode(*data, passphrase_));
  std::vector<std::string> out;
  for (const auto& [owner, k] : entries) {
    if (std::find(out.begin(), out.end(), owner) == out.end()) out.push_back(owner);
  }
  return out;
}

Status EncryptedFileKeyStore::remove_all(const std::string& id) {
  std::lock_guard guard(mutex_);
  internal::FileLock lock(path_);
  CARDINAL_ASSIGN_OR_RETURN(auto data, internal::read_file(path_, kMaxFileSize));
  if (!data) return {};
  CARDINAL_ASSIGN_OR_RETURN(auto entries, decode(*data, passphrase_));
  std::erase_if(entries, [&](const auto& e) { return e.first == id; });
  CARDINAL_ASSIGN_OR_RETURN(Bytes out, encode(entries, passphrase_, params_));
  return internal::write_atomically(path_, out);
}

}  // namespace cardinal::keys
