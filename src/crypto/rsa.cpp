// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/rsa.hpp>

#include "crypto/rsa_handle.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cardinal/crypto/encoding.hpp>

namespace cardinal::crypto {

using detail::RsaKeyHandle;

namespace {

const EVP_MD* oaep_md(RsaOaepHash hash) noexcept {
  return hash == RsaOaepHash::kSha1 ? internal::sha1_md() : internal::sha256_md();
}

// A PEM password callback that refuses: never prompt on a terminal, never decrypt PEM here.
int no_password(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

// The platform accepts RSA keys of 2048 or 4096 bits with exponent 65537.
Status check_key_shape(EVP_PKEY* pkey) {
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    return Error{ErrorCode::kUnsupported, "not an RSA key (rsaEncryption)"};
  }
  const int bits = EVP_PKEY_get_bits(pkey);
  if (bits != 2048 && bits != 4096) {
    return Error{ErrorCode::kUnsupported, "RSA key of " + std::to_string(bits) + " bits (2048 or 4096 accepted)"};
  }
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1 || e == nullptr) {
    return Error{ErrorCode::kMalformedInput, "RSA key without public exponent"};
  }
  const bool ok = BN_is_word(e, RSA_F4) != 0;
  BN_free(e);
  if (!ok) return Error{ErrorCode::kUnsupported, "RSA public exponent must be 65537"};
  return {};
}

// An encryption or decryption context for RSA-OAEP with one digest for OAEP and MGF1.
Result<internal::PkeyCtxPtr> oaep_context(EVP_PKEY* pkey, RsaOaepHash hash, ByteView label, bool encrypt) {
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  const EVP_MD* md = oaep_md(hash);
  if (!ctx || (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "RSA-OAEP setup failed");
  }
  if (!label.empty()) {
    auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
    if (copy == nullptr || EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), copy, static_cast<int>(label.size())) != 1) {
      OPENSSL_free(copy);
      return internal::openssl_error(ErrorCode::kInternal, "RSA-OAEP label failed");
    }
  }
  return ctx;
}

std::size_t oaep_slot(RsaOaepHash hash, bool encrypt) noexcept {
  return (encrypt ? std::size_t{0} : std::size_t{2}) + (hash == RsaOaepHash::kSha256 ? std::size_t{1} : std::size_t{0});
}

// An OAEP context taken from the key's pool (no label) or set up now; given back by `give_back`.
Result<EVP_PKEY_CTX*> lease_oaep(const RsaKeyHandle& key, RsaOaepHash hash, ByteView label, bool encrypt) {
  const std::size_t slot = oaep_slot(hash, encrypt);
  if (label.empty()) {
    if (EVP_PKEY_CTX* ctx = key.oaep[slot].take()) return ctx;
  }
  CARDINAL_ASSIGN_OR_RETURN(auto ctx, oaep_context(key.pkey.get(), hash, label, encrypt));
  return ctx.release();
}

// Keeps a context for the next operation when it has no label (labels are per call).
void give_back(const RsaKeyHandle& key, RsaOaepHash hash, bool encrypt, EVP_PKEY_CTX* ctx, bool reusable) {
  const std::size_t slot = oaep_slot(hash, encrypt);
  if (reusable) {
    key.oaep[slot].give(ctx);
  } else {
    EVP_PKEY_CTX_free(ctx);
  }
}

Result<Bytes> spki_of(EVP_PKEY* pkey) {
  const int len = i2d_PUBKEY(pkey, nullptr);
  if (len <= 0) return internal::openssl_error(ErrorCode::kInternal, "cannot encode SPKI");
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  if (i2d_PUBKEY(pkey, &p) != len) return internal::openssl_error(ErrorCode::kInternal, "cannot encode SPKI");
  return der;
}

Result<std::shared_ptr<const RsaKeyHandle>> parse_spki(ByteView der) {
  if (der.empty()) return Error{ErrorCode::kMalformedInput, "empty SPKI"};
  if (!internal::fits_int(der.size())) return Error{ErrorCode::kMalformedInput, "SPKI too large"};
  const unsigned char* p = der.data();
  internal::PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey) return internal::openssl_error(ErrorCode::kMalformedInput, "not a valid SPKI DER public key");
  if (p != der.data() + der.size()) return Error{ErrorCode::kMalformedInput, "trailing bytes after SPKI"};
  CARDINAL_RETURN_IF_ERROR(check_key_shape(pkey.get()));
  return std::make_shared<const RsaKeyHandle>(std::move(pkey));
}

}  // namespace

namespace detail {
struct RsaKeyFactory {
  static RsaPublicKey make_public(std::shared_ptr<const RsaKeyHandle> key, Bytes der, RsaOaepHash hash) {
    return RsaPublicKey(std::move(key), std::move(der), hash);
  }
  static RsaPrivateKey make_private(std::shared_ptr<const RsaKeyHandle> key, RsaPublicKey pub) {
    return RsaPrivateKey(std::move(key), std::move(pub));
  }
};
}  // namespace detail

namespace {
// Finishes a private key: shape check, consistency check, public half.
Result<RsaPrivateKey> finish_private(internal::PkeyPtr pkey, RsaOaepHash hash) {
  CARDINAL_RETURN_IF_ERROR(check_key_shape(pkey.get()));
  {
    internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!ctx || EVP_PKEY_pairwise_check(ctx.get()) != 1) {
      return internal::openssl_error(ErrorCode::kMalformedInput, "inconsistent RSA private key");
    }
  }
  CARDINAL_ASSIGN_OR_RETURN(Bytes spki, spki_of(pkey.get()));
  CARDINAL_ASSIGN_OR_RETURN(auto pub_handle, parse_spki(spki));
  auto handle = std::make_shared<const RsaKeyHandle>(std::move(pkey));
  return detail::RsaKeyFactory::make_private(
      std::move(handle), detail::RsaKeyFactory::make_public(std::move(pub_handle), std::move(spki), hash));
}
}  // namespace

std::string_view to_string(RsaOaepHash hash) noexcept {
  return hash == RsaOaepHash::kSha1 ? "OAEP-SHA1" : "OAEP-SHA256";
}

std::string fingerprint_v1(std::string_view spki_hex) {
  if (spki_hex.size() < 32) return {};
  return std::string(spki_hex.substr(spki_hex.size() - 32));
}

std::string fingerprint_v2(std::string_view spki_hex) {
  if (spki_hex.size() < 32) return {};
  const std::string_view trimmed = spki_hex.substr(0, spki_hex.size() - 10);
  return std::string(trimmed.substr(trimmed.size() - 22));
}

// ----- RsaPublicKey -----

RsaPublicKey::RsaPublicKey(std::shared_ptr<const RsaKeyHandle> key, Bytes der, RsaOaepHash hash)
    : key_(std::move(key)), spki_der_(std::move(der)), hash_(hash) {}

Result<RsaPublicKey> RsaPublicKey::from_spki_der(ByteView der, RsaOaepHash hash) {
  internal::ErrorQueueGuard guard;
  CARDINAL_ASSIGN_OR_RETURN(auto handle, parse_spki(der));
  // Only the canonical encoding is accepted: fingerprints are computed on these exact bytes.
  CARDINAL_ASSIGN_OR_RETURN(Bytes canonical, spki_of(handle->pkey.get()));
  if (canonical.size() != der.size() || !std::equal(canonical.begin(), canonical.end(), der.begin())) {
    return Error{ErrorCode::kMalformedInput, "SPKI DER is not in canonical form"};
  }
  return detail::RsaKeyFactory::make_public(std::move(handle), std::move(canonical), hash);
}

Result<RsaPublicKey> RsaPublicKey::from_spki_hex(std::string_view hex, RsaOaepHash hash) {
  CARDINAL_ASSIGN_OR_RETURN(Bytes der, hex_decode(hex));
  return from_spki_der(der, hash);
}

Result<RsaPublicKey> RsaPublicKey::from_pem(std::string_view pem, RsaOaepHash hash) {
  internal::ErrorQueueGuard guard;
  if (!internal::fits_int(pem.size())) return Error{ErrorCode::kMalformedInput, "PEM too large"};
  internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal::openssl_error(ErrorCode::kInternal, "BIO allocation failed");
  internal::PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_password, nullptr));
  if (!pkey) return internal::openssl_error(ErrorCode::kMalformedInput, "not a PEM public key");
  CARDINAL_ASSIGN_OR_RETURN(Bytes der, spki_of(pkey.get()));
  return from_spki_der(der, hash);
}

int RsaPublicKey::bits() const noexcept { return EVP_PKEY_get_bits(key_->pkey.get()); }

std::string RsaPublicKey::spki_hex() const { return hex_encode(spki_der_); }

std::string RsaPublicKey::pem() const {
  internal::ErrorQueueGuard guard;
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_->pkey.get()) != 1) internal::fatal_openssl("PEM_write_bio_PUBKEY");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string RsaPublicKey::fingerprint_v1() const { return crypto::fingerprint_v1(spki_hex()); }
std::string RsaPublicKey::fingerprint_v2() const { return crypto::fingerprint_v2(spki_hex()); }

Result<Bytes> RsaPublicKey::encrypt(ByteView message, ByteView label) const {
  internal::ErrorQueueGuard guard;
  const std::size_t k = static_cast<std::size_t>(EVP_PKEY_get_size(key_->pkey.get()));
  const std::size_t h = hash_ == RsaOaepHash::kSha1 ? 20 : 32;
  if (message.size() + 2 * h + 2 > k) {
    return Error{ErrorCode::kInvalidArgument, "message too long for RSA-OAEP with this key"};
  }
  CARDINAL_ASSIGN_OR_RETURN(EVP_PKEY_CTX * ctx, lease_oaep(*key_, hash_, label, true));
  Bytes out(k);
  std::size_t len = out.size();
  const bool ok = EVP_PKEY_encrypt(ctx, out.data(), &len, message.data(), message.size()) == 1;
  give_back(*key_, hash_, true, ctx, label.empty());
  if (!ok) return internal::openssl_error(ErrorCode::kInternal, "RSA-OAEP encryption failed");
  out.resize(len);
  return out;
}

// ----- RsaPrivateKey -----

RsaPrivateKey::RsaPrivateKey(std::shared_ptr<const RsaKeyHandle> key, RsaPublicKey pub)
    : key_(std::move(key)), public_key_(std::move(pub)) {}

Result<RsaPrivateKey> RsaPrivateKey::generate(int bits, RsaOaepHash hash) {
  if (bits != 2048 && bits != 4096) return Error{ErrorCode::kInvalidArgument, "RSA key size must be 2048 or 4096"};
  internal::ErrorQueueGuard guard;
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "RSA key generation failed");
  }
  return finish_private(internal::PkeyPtr(raw), hash);
}

Result<RsaPrivateKey> RsaPrivateKey::from_pkcs8_der(ByteView der, RsaOaepHash hash) {
  internal::ErrorQueueGuard guard;
  if (der.empty()) return Error{ErrorCode::kMalformedInput, "empty PKCS#8"};
  if (!internal::fits_int(der.size())) return Error{ErrorCode::kMalformedInput, "PKCS#8 too large"};
  const unsigned char* p = der.data();
  PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  if (p8 == nullptr) return internal::openssl_error(ErrorCode::kMalformedInput, "not a valid PKCS#8 DER private key");
  const bool trailing = p != der.data() + der.size();
  internal::PkeyPtr pkey(EVP_PKCS82PKEY(p8));
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (trailing) return Error{ErrorCode::kMalformedInput, "trailing bytes after PKCS#8"};
  if (!pkey) return internal::openssl_error(ErrorCode::kMalformedInput, "not a valid PKCS#8 private key");
  return finish_private(std::move(pkey), hash);
}

Result<RsaPrivateKey> RsaPrivateKey::from_pkcs8_hex(std::string_view hex, RsaOaepHash hash) {
  CARDINAL_ASSIGN_OR_RETURN(SecretBytes der, hex_decode_secret(hex));
  return from_pkcs8_der(der.reveal(), hash);
}

Result<RsaPrivateKey> RsaPrivateKey::from_pem(std::string_view pem, RsaOaepHash hash) {
  internal::ErrorQueueGuard guard;
  if (!internal::fits_int(pem.size())) return Error{ErrorCode::kMalformedInput, "PEM too large"};
  internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal::openssl_error(ErrorCode::kInternal, "BIO allocation failed");
  internal::PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
  if (!pkey) return internal::openssl_error(ErrorCode::kMalformedInput, "not an unencrypted PEM private key");
  return finish_private(std::move(pkey), hash);
}

Result<SecretBytes> RsaPrivateKey::pkcs8_der() const {
  internal::ErrorQueueGuard guard;
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key_->pkey.get());
  if (p8 == nullptr) return internal::openssl_error(ErrorCode::kInternal, "cannot encode PKCS#8");
  const int len = i2d_PKCS8_PRIV_KEY_INFO(p8, nullptr);
  if (len <= 0) {
    PKCS8_PRIV_KEY_INFO_free(p8);
    return internal::openssl_error(ErrorCode::kInternal, "cannot encode PKCS#8");
  }
  auto out = SecretBytes::zeros(static_cast<std::size_t>(len));
  unsigned char* p = out.mutable_data();
  const int written = i2d_PKCS8_PRIV_KEY_INFO(p8, &p);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (written != len) return internal::openssl_error(ErrorCode::kInternal, "cannot encode PKCS#8");
  return out;
}

Result<SecretBytes> RsaPrivateKey::pkcs8_pem() const {
  internal::ErrorQueueGuard guard;
  // A secure-memory BIO: wiped when freed.
  internal::BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return internal::openssl_error(ErrorCode::kInternal, "cannot encode PKCS#8 PEM");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return SecretBytes(ByteView(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(len)));  // NOLINT
}

Result<SecretBytes> RsaPrivateKey::decrypt(ByteView ciphertext, ByteView label) const {
  internal::ErrorQueueGuard guard;
  const Error failed{ErrorCode::kDecryptionFailed, "RSA-OAEP decryption failed"};
  const std::size_t k = static_cast<std::size_t>(EVP_PKEY_get_size(key_->pkey.get()));
  if (ciphertext.size() != k) return failed;
  CARDINAL_ASSIGN_OR_RETURN(EVP_PKEY_CTX * ctx, lease_oaep(*key_, hash(), label, false));
  auto out = SecretBytes::for_overwrite(k);
  std::size_t len = out.size();
  const bool ok = EVP_PKEY_decrypt(ctx, out.mutable_data(), &len, ciphertext.data(), ciphertext.size()) == 1;
  // Reused whatever the outcome (an OAEP context keeps no state between operations), so that a
  // rejected ciphertext costs the next call nothing more than an accepted one.
  give_back(*key_, hash(), false, ctx, label.empty());
  if (!ok) return failed;
  out.truncate(len);
  return out;
}

}  // namespace cardinal::crypto
