// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/hash.hpp>

#include "crypto/ctx_pool.hpp"
#include "crypto/openssl.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cardinal/crypto/random.hpp>

#include <array>

namespace cardinal::crypto {

namespace detail {
struct HmacContexts {
  internal::CtxPool<EVP_MAC_CTX, &EVP_MAC_CTX_free> pool;
};
}  // namespace detail

namespace {
// One digest context per thread, set up again for each digest (no allocation per call).
// No ErrorQueueGuard on the digest and HMAC paths (it cost two error-queue walks, a tenth of a
// small digest): their OpenSSL calls push nothing when they succeed, and they cannot fail on any
// input (a failure is fatal_openssl).
Bytes digest(const EVP_MD* md, ByteView data) {
  thread_local const internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (md == nullptr || !ctx) internal::fatal_openssl("EVP_MD_CTX_new");
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 || EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1) {
    internal::fatal_openssl("EVP_Digest");
  }
  return out;
}

const char* hmac_digest_name(HmacHash h) noexcept { return h == HmacHash::kSha256 ? "SHA256" : "SHA512"; }

// A fresh HMAC context keyed with `key`.
EVP_MAC_CTX* new_hmac_context(HmacHash hash, const SecretBytes& key) {
  EVP_MAC* mac = internal::hmac_mac();
  if (mac == nullptr) internal::fatal_openssl("EVP_MAC_fetch(HMAC)");
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  if (ctx == nullptr) internal::fatal_openssl("EVP_MAC_CTX_new");
  char* digest_name = const_cast<char*>(hmac_digest_name(hash));  // NOLINT: OpenSSL API is not const
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                               OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx, key.reveal().data(), key.size(), params) != 1) internal::fatal_openssl("EVP_MAC_init");
  return ctx;
}
}  // namespace

Bytes sha256(ByteView data) { return digest(internal::sha256_md(), data); }
Bytes sha512(ByteView data) { return digest(internal::sha512_md(), data); }

struct Sha256Stream::State {
  EVP_MD_CTX* ctx = nullptr;
  State() : ctx(EVP_MD_CTX_new()) {
    if (ctx == nullptr || EVP_DigestInit_ex2(ctx, internal::sha256_md(), nullptr) != 1) {
      internal::fatal_openssl("EVP_DigestInit_ex2");
    }
  }
  ~State() { EVP_MD_CTX_free(ctx); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
};

Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) {}
Sha256Stream::~Sha256Stream() = default;
Sha256Stream::Sha256Stream(Sha256Stream&&) noexcept = default;
Sha256Stream& Sha256Stream::operator=(Sha256Stream&&) noexcept = default;

void Sha256Stream::update(ByteView data) {
  if (!state_) state_ = std::make_unique<State>();
  if (data.empty()) return;
  if (EVP_DigestUpdate(state_->ctx, data.data(), data.size()) != 1) internal::fatal_openssl("EVP_DigestUpdate");
}

Bytes Sha256Stream::finish() {
  if (!state_) state_ = std::make_unique<State>();
  Bytes out(32);
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(state_->ctx, out.data(), &len) != 1 ||
      EVP_DigestInit_ex2(state_->ctx, internal::sha256_md(), nullptr) != 1) {
    internal::fatal_openssl("EVP_DigestFinal_ex");
  }
  return out;
}

Result<HmacKey> HmacKey::create(HmacHash hash, SecretBytes key) {
  if (key.empty()) return Error{ErrorCode::kInvalidArgument, "HMAC key must not be empty"};
  return HmacKey(hash, std::move(key));
}

Result<HmacKey> HmacKey::generate(HmacHash hash) {
  CARDINAL_ASSIGN_OR_RETURN(auto key, random_secret(hash == HmacHash::kSha256 ? 64 : 128));
  return HmacKey(hash, std::move(key));
}

std::size_t HmacKey::tag_size() const noexcept { return hash_ == HmacHash::kSha256 ? 32 : 64; }

HmacKey::HmacKey(HmacHash hash, SecretBytes key)
    : hash_(hash), key_(std::move(key)), contexts_(std::make_shared<detail::HmacContexts>()) {}

Bytes HmacKey::sign(ByteView data) const {
  Bytes out(tag_size());
  sign_into(data, out.data());
  return out;
}

void HmacKey::sign_into(ByteView data, std::uint8_t* out) const {
  // A keyed context from the pool starts over with the same key (EVP_MAC_init with a null key);
  // a fresh one is keyed here. Moved-from keys have no pool.
  EVP_MAC_CTX* ctx = contexts_ ? contexts_->pool.take() : nullptr;
  if (ctx == nullptr || EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1) {
    if (ctx != nullptr) ERR_clear_error();  // the failed re-initialisation's error, not left behind
    EVP_MAC_CTX_free(ctx);
    ctx = new_hmac_context(hash_, key_);
  }
  std::size_t len = 0;
  if (EVP_MAC_update(ctx, data.data(), data.size()) != 1 || EVP_MAC_final(ctx, out, &len, tag_size()) != 1 ||
      len != tag_size()) {
    internal::fatal_openssl("HMAC");
  }
  if (contexts_) {
    contexts_->pool.give(ctx);
  } else {
    EVP_MAC_CTX_free(ctx);
  }
}

Status HmacKey::verify(ByteView data, ByteView tag) const {
  std::array<std::uint8_t, 64> expected{};  // no allocation: the largest tag (SHA-512)
  sign_into(data, expected.data());
  const bool ok = constant_time_equals(ByteView(expected).first(tag_size()), tag);
  cardinal::detail::secure_wipe(expected.data(), expected.size());  // the valid tag for this data
  if (!ok) {
    return Error{ErrorCode::kVerificationFailed, "HMAC tag does not verify"};
  }
  return {};
}

Result<SecretBytes> hkdf_sha256(const SecretBytes& ikm, ByteView salt, ByteView info, std::size_t length) {
  if (length == 0 || length > 255 * 32) {
    return Error{ErrorCode::kInvalidArgument, "HKDF-SHA256 output length must be between 1 and 8160 bytes"};
  }
  internal::ErrorQueueGuard guard;
  EVP_KDF* kdf = internal::hkdf_kdf();
  if (kdf == nullptr) return internal::openssl_error(ErrorCode::kInternal, "HKDF unavailable");
  internal::KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) return internal::openssl_error(ErrorCode::kInternal, "HKDF context");

  // OpenSSL 3.0 rejects a null pointer with length 0: an empty salt is passed as one zero byte
  // with length 0 removed entirely (RFC 5869: no salt = HashLen zero bytes, which is what
  // OpenSSL uses when the salt parameter is absent).
  static const unsigned char kEmpty[1] = {0};
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.empty() ? kEmpty : ikm.reveal().data()), ikm.size());  // NOLINT
  if (!salt.empty()) {
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()),  // NOLINT
                                          salt.size());
  }
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_INFO, const_cast<unsigned char*>(info.empty() ? kEmpty : info.data()), info.size());  // NOLINT
  params[n] = OSSL_PARAM_construct_end();

  auto out = SecretBytes::for_overwrite(length);
  if (EVP_KDF_derive(ctx.get(), out.mutable_data(), out.size(), params) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "HKDF derivation failed");
  }
  return out;
}

}  // namespace cardinal::crypto
