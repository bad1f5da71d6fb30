// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Key objects keep keyed OpenSSL contexts and a per-thread IV buffer for speed: reused contexts
// must give the same results as fresh ones, after failures too, from several threads at once,
// and a forked child must never draw the IVs its parent draws.

#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/hash.hpp>
#include <cardinal/crypto/rsa.hpp>

#include "test_util.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>

namespace cardinal::crypto {
namespace {

// A copy of the key bytes in a new key object: no shared contexts.
Bytes bytes(ByteView v) { return Bytes(v.begin(), v.end()); }

AesKey fresh_copy(const AesKey& k) { return AesKey::create(SecretBytes(k.secret().reveal())).value(); }

TEST(CryptoReuse, AesContextsGiveTheSameResultsAsFreshKeys) {
  const auto key = AesKey::generate().value();
  const Bytes iv(16, 3);
  const Bytes nonce(12, 4);
  for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 2048u}) {
    const Bytes pt(n, static_cast<std::uint8_t>(n));
    for (int round = 0; round < 3; ++round) {
      EXPECT_EQ(aes_cbc::encrypt_with_iv(key, iv, pt).value(), aes_cbc::encrypt_with_iv(fresh_copy(key), iv, pt).value());
      EXPECT_EQ(aes_gcm::encrypt(key, nonce, pt, as_bytes("aad")).value(),
                aes_gcm::encrypt(fresh_copy(key), nonce, pt, as_bytes("aad")).value());
      const Bytes cbc = aes_cbc::encrypt(key, pt).value();
      EXPECT_EQ(bytes(aes_cbc::decrypt(key, cbc).value().reveal()), pt);
      const Bytes gcm = aes_gcm::seal(key, pt, {}).value();
      EXPECT_EQ(bytes(aes_gcm::open(key, gcm, {}).value().reveal()), pt);
    }
  }
}

TEST(CryptoReuse, AesFailuresDoNotSpoilTheNextOperation) {
  const auto key = AesKey::generate().value();
  const Bytes pt(100, 9);
  Bytes gcm = aes_gcm::seal(key, pt, {}).value();
  Bytes cbc = aes_cbc::encrypt(key, pt).value();
  Bytes bad_gcm = gcm;
  bad_gcm.back() ^= 1;
  Bytes bad_cbc = cbc;
  bad_cbc.back() ^= 0x55;  // breaks the padding (almost always)
  for (int round = 0; round < 4; ++round) {
    EXPECT_ERROR_CODE(aes_gcm::open(key, bad_gcm, {}), ErrorCode::kDecryptionFailed);
    EXPECT_EQ(bytes(aes_gcm::open(key, gcm, {}).value().reveal()), pt);
    (void)aes_cbc::decrypt(key, bad_cbc);
    EXPECT_EQ(bytes(aes_cbc::decrypt(key, cbc).value().reveal()), pt);
  }
  // A stream that fails gives its context back to nobody; the key keeps working.
  auto dec = aes_cbc::StreamDecryptor::create(key).value();
  ASSERT_OK(dec.update(ByteView(cbc).first(40)));
  EXPECT_ERROR_CODE(dec.finish(), ErrorCode::kDecryptionFailed);
  EXPECT_EQ(bytes(aes_cbc::decrypt(key, cbc).value().reveal()), pt);
}

TEST(CryptoReuse, StreamsOutliveTheirKey) {
  std::optional<aes_cbc::StreamEncryptor> enc;
  Bytes key_bytes;
  {
    const auto key = AesKey::generate().value();
    key_bytes.assign(key.secret().reveal().begin(), key.secret().reveal().end());
    enc.emplace(aes_cbc::StreamEncryptor::create(key).value());
  }
  Bytes ct = enc->update(as_bytes("hello stream")).value();
  const Bytes last = enc->finish().value();
  ct.insert(ct.end(), last.begin(), last.end());
  const auto again = AesKey::create(SecretBytes(key_bytes)).value();
  EXPECT_EQ(aes_cbc::decrypt(again, ct).value().reveal_as_text(), "hello stream");
}

TEST(CryptoReuse, HmacAndRsaContextsGiveTheSameResults) {
  const auto h = HmacKey::generate(HmacHash::kSha512).value();
  const auto copy = HmacKey::create(HmacHash::kSha512, SecretBytes(h.secret().reveal())).value();
  const Bytes first = h.sign(as_bytes("a"));
  EXPECT_NE(h.sign(as_bytes("b")), first);
  EXPECT_EQ(h.sign(as_bytes("a")), first);
  EXPECT_EQ(copy.sign(as_bytes("a")), first);
  ASSERT_OK(h.verify(as_bytes("a"), first));

  const auto rsa = RsaPrivateKey::generate(2048, RsaOaepHash::kSha256).value();
  for (int round = 0; round < 3; ++round) {
    const Bytes ct = rsa.public_key().encrypt(as_bytes("secret")).value();
    EXPECT_EQ(rsa.decrypt(ct).value().reveal_as_text(), "secret");
    EXPECT_ERROR_CODE(rsa.decrypt(Bytes(ct.size(), 1)), ErrorCode::kDecryptionFailed);
    const Bytes labelled = rsa.public_key().encrypt(as_bytes("x"), as_bytes("label")).value();
    EXPECT_ERROR_CODE(rsa.decrypt(labelled), ErrorCode::kDecryptionFailed);  // pooled contexts carry no label
    EXPECT_EQ(rsa.decrypt(labelled, as_bytes("label")).value().reveal_as_text(), "x");
  }
}

// One key object shared by threads (TSan runs this too): every thread's results are right.
TEST(CryptoReuse, SharedKeysAcrossThreads) {
  const auto key = AesKey::generate().value();
  const auto mac = HmacKey::generate(HmacHash::kSha256).value();
  const Bytes tag = mac.sign(as_bytes("m"));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      const Bytes pt(static_cast<std::size_t>(100 + t), static_cast<std::uint8_t>(t));
      for (int i = 0; i < 200; ++i) {
        auto cbc = aes_cbc::decrypt(key, aes_cbc::encrypt(key, pt).value());
        auto gcm = aes_gcm::open(key, aes_gcm::seal(key, pt, {}).value(), {});
        if (!cbc.ok() || bytes(cbc->reveal()) != pt || !gcm.ok() || bytes(gcm->reveal()) != pt ||
            mac.sign(as_bytes("m")) != tag) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(CryptoReuse, IvsAreNeverRepeated) {
  const auto key = AesKey::generate().value();
  // IVs as strings: GCC 12 at -O2 reports a false -Wstringop-overread inside std::set<Bytes>.
  std::set<std::string> ivs;
  for (int i = 0; i < 500; ++i) {
    const Bytes ct = aes_cbc::encrypt(key, as_bytes("x")).value();
    EXPECT_TRUE(ivs.insert(std::string(ct.begin(), ct.begin() + 16)).second);
    const Bytes sealed = aes_gcm::seal(key, as_bytes("x"), {}).value();
    EXPECT_TRUE(ivs.insert(std::string(sealed.begin(), sealed.begin() + 12)).second);
  }
}

// The IV buffer is per thread and drawn ahead: a forked child must not serve the parent's next IVs.
TEST(CryptoReuse, ForkedChildDrawsOtherIvs) {
  const auto key = AesKey::generate().value();
  (void)aes_cbc::encrypt(key, as_bytes("fill the buffer")).value();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    const Bytes ct = aes_cbc::encrypt(key, as_bytes("child")).value();
    const bool ok = write(fds[1], ct.data(), 16) == 16;
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  const Bytes ct = aes_cbc::encrypt(key, as_bytes("parent")).value();
  Bytes child_iv(16);
  ASSERT_EQ(read(fds[0], child_iv.data(), 16), 16);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(Bytes(ct.begin(), ct.begin() + 16), child_iv);
}

}  // namespace
}  // namespace cardinal::crypto
