// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Primitives through the SDK's API, to compare with `openssl speed` on the same machine
// (scripts/bench-primitives.sh runs both and prints the ratio), and OpenSSL-only references
// (`BM_Evp*`) for the operations `openssl speed` does not time as the SDK performs them.

#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/hash.hpp>
#include <cardinal/crypto/rsa.hpp>

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <cstring>

namespace {
using namespace cardinal;
using namespace cardinal::crypto;

// The sizes `openssl speed` reports next to ours: 16, 64, 256 B, 2 KiB (a typical entity) and 1 MiB.
void message_sizes(benchmark::internal::Benchmark* b) {
  for (int n : {16, 64, 256, 2048, 1 << 20}) b->Arg(n);
}

const AesKey& key() {
  static const AesKey k = AesKey::generate().value();
  return k;
}

void BM_AesCbcEncrypt(benchmark::State& state) {
  const Bytes pt(static_cast<std::size_t>(state.range(0)), 0x42);
  for (auto _ : state) {
    auto ct = aes_cbc::encrypt(key(), pt);
    benchmark::DoNotOptimize(ct);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_AesCbcEncrypt)->Apply(message_sizes);

void BM_AesCbcDecrypt(benchmark::State& state) {
  const Bytes pt(static_cast<std::size_t>(state.range(0)), 0x42);
  const Bytes ct = aes_cbc::encrypt(key(), pt).value();
  for (auto _ : state) {
    auto out = aes_cbc::decrypt(key(), ct);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_AesCbcDecrypt)->Apply(message_sizes);

void BM_AesGcmSeal(benchmark::State& state) {
  const Bytes pt(static_cast<std::size_t>(state.range(0)), 0x42);
  for (auto _ : state) {
    auto ct = aes_gcm::seal(key(), pt, {});
    benchmark::DoNotOptimize(ct);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_AesGcmSeal)->Apply(message_sizes);

void BM_AesGcmOpen(benchmark::State& state) {
  const Bytes pt(static_cast<std::size_t>(state.range(0)), 0x42);
  const Bytes ct = aes_gcm::seal(key(), pt, {}).value();
  for (auto _ : state) {
    auto out = aes_gcm::open(key(), ct, {});
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_AesGcmOpen)->Apply(message_sizes);

// One CBC message with OpenSSL alone, the usual way: a kept keyed context, the message's IV set
// (EVP_CipherInit_ex2), update and final (padding added / checked) into a kept buffer.
// `openssl speed -evp aes-256-cbc` streams updates on one context instead (no IV, no padding per
// message: a "16-byte message" is one block where a padded message is two), which a per-message
// API cannot be compared with for small messages: this is the like-for-like reference of
// `aes_cbc::encrypt` / `decrypt` (scripts/bench_primitives_vs_openssl.py prints both ratios).
// Decryption input is a real padded message, and its padding is checked.
void BM_EvpCbcPerMessage(benchmark::State& state) {
  const bool encrypt = state.range(1) != 0;
  const Bytes pt(static_cast<std::size_t>(state.range(0)), 0x42);
  const Bytes iv(16, 1);
  const Bytes sealed = aes_cbc::encrypt_with_iv(key(), iv, pt).value();
  const Bytes in = encrypt ? pt : Bytes(sealed.begin() + 16, sealed.end());
  Bytes out(in.size() + 32);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_CIPHER* cbc = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  EVP_CipherInit_ex2(ctx, cbc, key().secret().reveal().data(), iv.data(), encrypt ? 1 : 0, nullptr);
  for (auto _ : state) {
    int len = 0;
    int fin = 0;
    EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data(), -1, nullptr);
    EVP_CipherUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(in.size()));
    EVP_CipherFinal_ex(ctx, out.data() + len, &fin);
    benchmark::DoNotOptimize(out.data());
  }
  EVP_CIPHER_free(cbc);
  EVP_CIPHER_CTX_free(ctx);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_EvpCbcPerMessage)->ArgsProduct({{16, 64, 256, 2048, 1 << 20}, {1, 0}});

const RsaPrivateKey& rsa(RsaOaepHash h) {
  static const RsaPrivateKey k1 = RsaPrivateKey::generate(2048, RsaOaepHash::kSha1).value();
  static const RsaPrivateKey k256 = RsaPrivateKey::generate(2048, RsaOaepHash::kSha256).value();
  return h == RsaOaepHash::kSha1 ? k1 : k256;
}

void BM_RsaOaepEncrypt(benchmark::State& state) {
  const auto h = static_cast<RsaOaepHash>(state.range(0));
  const Bytes msg(32, 1);
  const auto pub = rsa(h).public_key();  // key generation and the public half outside the timed loop
  for (auto _ : state) {
    auto ct = pub.encrypt(msg);
    benchmark::DoNotOptimize(ct);
  }
}
BENCHMARK(BM_RsaOaepEncrypt)->Arg(static_cast<int>(RsaOaepHash::kSha1))->Arg(static_cast<int>(RsaOaepHash::kSha256));

// RSA-OAEP encryption with OpenSSL alone, the way the SDK does it: a kept EVP_PKEY_CTX with the
// OAEP padding and digests set once, EVP_PKEY_encrypt into a kept buffer. `openssl speed rsa2048`
// times the raw public operation of a PKCS#1 v1.5 verification: no OAEP encoding (two MGF1 masks,
// a label hash) and no random seed, which OAEP encryption adds. This is the like-for-like
// reference of `RsaPublicKey::encrypt`.
void BM_EvpRsaOaepEncrypt(benchmark::State& state) {
  const auto h = static_cast<RsaOaepHash>(state.range(0));
  const Bytes msg(32, 1);
  const Bytes& der = rsa(h).public_key().spki_der();
  const unsigned char* p = der.data();
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  EVP_MD* md = EVP_MD_fetch(nullptr, h == RsaOaepHash::kSha1 ? "SHA1" : "SHA256", nullptr);
  EVP_PKEY_encrypt_init(ctx);
  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING);
  EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md);
  EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md);
  Bytes out(static_cast<std::size_t>(EVP_PKEY_get_size(pkey)));
  for (auto _ : state) {
    std::size_t len = out.size();
    EVP_PKEY_encrypt(ctx, out.data(), &len, msg.data(), msg.size());
    benchmark::DoNotOptimize(out.data());
  }
  EVP_MD_free(md);
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(pkey);
}
BENCHMARK(BM_EvpRsaOaepEncrypt)->Arg(static_cast<int>(RsaOaepHash::kSha1))->Arg(static_cast<int>(RsaOaepHash::kSha256));

void BM_RsaOaepDecrypt(benchmark::State& state) {
  const auto h = static_cast<RsaOaepHash>(state.range(0));
  const RsaPrivateKey& key = rsa(h);
  const Bytes ct = key.public_key().encrypt(Bytes(32, 1)).value();
  for (auto _ : state) {
    auto pt = key.decrypt(ct);
    benchmark::DoNotOptimize(pt);
  }
}
BENCHMARK(BM_RsaOaepDecrypt)->Arg(static_cast<int>(RsaOaepHash::kSha1))->Arg(static_cast<int>(RsaOaepHash::kSha256));

void BM_RsaKeyGeneration2048(benchmark::State& state) {
  for (auto _ : state) {
    auto k = RsaPrivateKey::generate(2048, RsaOaepHash::kSha256);
    benchmark::DoNotOptimize(k);
  }
}
BENCHMARK(BM_RsaKeyGeneration2048)->Unit(benchmark::kMillisecond)->Iterations(20);

template <HmacHash kHash>
void BM_Hmac(benchmark::State& state) {
  const auto k = HmacKey::generate(kHash).value();
  const Bytes data(static_cast<std::size_t>(state.range(0)), 7);
  for (auto _ : state) {
    auto tag = k.sign(data);
    benchmark::DoNotOptimize(tag);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
void BM_HmacSha512(benchmark::State& state) { BM_Hmac<HmacHash::kSha512>(state); }
void BM_HmacSha256(benchmark::State& state) { BM_Hmac<HmacHash::kSha256>(state); }
BENCHMARK(BM_HmacSha512)->Arg(16)->Arg(64)->Arg(256)->Arg(2048)->Arg(16384);
BENCHMARK(BM_HmacSha256)->Arg(16)->Arg(64)->Arg(256)->Arg(2048)->Arg(16384);

// HMAC with OpenSSL alone, `openssl speed -hmac`'s own loop: one keyed EVP_MAC_CTX, per message
// EVP_MAC_init with no key (starts over with the kept key), update, final into a kept buffer. Run
// in the same process as BM_Hmac*, it is the like-for-like reference of `HmacKey::sign` without
// the second process's timing scatter (scripts/bench_primitives_vs_openssl.py prints both).
template <HmacHash kHash>
void BM_EvpHmac(benchmark::State& state) {
  const Bytes data(static_cast<std::size_t>(state.range(0)), 7);
  const Bytes mac_key(kHash == HmacHash::kSha256 ? 64 : 128, 3);
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest[] = "SHA512";
  if (kHash == HmacHash::kSha256) std::memcpy(digest, "SHA256", 6);
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
  EVP_MAC_init(ctx, mac_key.data(), mac_key.size(), params);
  std::array<unsigned char, 64> tag{};
  for (auto _ : state) {
    std::size_t len = 0;
    EVP_MAC_init(ctx, nullptr, 0, nullptr);
    EVP_MAC_update(ctx, data.data(), data.size());
    EVP_MAC_final(ctx, tag.data(), &len, tag.size());
    benchmark::DoNotOptimize(tag.data());
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
void BM_EvpHmacSha512(benchmark::State& state) { BM_EvpHmac<HmacHash::kSha512>(state); }
void BM_EvpHmacSha256(benchmark::State& state) { BM_EvpHmac<HmacHash::kSha256>(state); }
BENCHMARK(BM_EvpHmacSha512)->Arg(16)->Arg(64)->Arg(256)->Arg(2048)->Arg(16384);
BENCHMARK(BM_EvpHmacSha256)->Arg(16)->Arg(64)->Arg(256)->Arg(2048)->Arg(16384);

void BM_Sha256(benchmark::State& state) {
  const Bytes data(static_cast<std::size_t>(state.range(0)), 7);
  for (auto _ : state) benchmark::DoNotOptimize(sha256(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(16)->Arg(64)->Arg(256)->Arg(2048)->Arg(16384);

}  // namespace
