// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/keys/key_store.hpp>

#include "test_util.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

namespace cardinal::keys {
namespace {

namespace fs = std::filesystem;
const ScryptParams kFast{10, 8, 1};  // tests only: the default is N = 2^15

const crypto::RsaPrivateKey& test_key(int i) {
  static const std::vector<crypto::RsaPrivateKey> keys = [] {
    std::vector<crypto::RsaPrivateKey> v;
    for (int n = 0; n < 3; ++n)
      v.push_back(crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256).value());
    v.push_back(crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha1).value());
    return v;
  }();
  return keys[static_cast<std::size_t>(i)];
}

struct TempDir {
  fs::path path;
  TempDir() {
    char t[] = "/tmp/cardinal-ks-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() {
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(path);
  }
};

SecretBytes pass(const char* p) { return SecretBytes::from_string(p); }

Bytes file_bytes(const fs::path& p) {
  const std::string s = cardinal::testing::read_file(p.string());
  return Bytes(s.begin(), s.end());
}
void write_bytes(const fs::path& p, ByteView b) {
  std::ofstream(p, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(b.data()),  // NOLINT
             static_cast<std::streamsize>(b.size()));
}

TEST(InMemoryKeyStore, PutGetUpdate) {
  InMemoryKeyStore s;
  ASSERT_OK(s.put("a", test_key(0), false));
  ASSERT_OK(s.put("a", test_key(0), true));  // same key: flag updated, no duplicate
  ASSERT_OK(s.put("b", test_key(1), true));
  auto a = s.keys_of("a");
  ASSERT_OK(a);
  ASSERT_EQ(a->size(), 1u);
  EXPECT_TRUE((*a)[0].verified);
  EXPECT_EQ(s.data_owners()->size(), 2u);
  ASSERT_OK(s.remove_all("a"));
  EXPECT_TRUE(s.keys_of("a")->empty());
}

TEST(EncryptedFileKeyStore, RoundTripAcrossReopenWithMode0600) {
  TempDir dir;
  const fs::path file = dir.path / "keys.cks";
  {
    auto s = EncryptedFileKeyStore::open(file, pass("correct horse"), kFast);
    ASSERT_OK(s);
    ASSERT_OK((*s)->put("hcp-a", test_key(0), true));
    ASSERT_OK((*s)->put("hcp-a", test_key(3), false));
    ASSERT_OK((*s)->put("hcp-parent", test_key(1), true));
  }
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto s = EncryptedFileKeyStore::open(file, pass("correct horse"), kFast);
  ASSERT_OK(s);
  auto keys = (*s)->keys_of("hcp-a");
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_TRUE((*keys)[0].key.public_key() == test_key(0).public_key());
  EXPECT_TRUE((*keys)[0].verified);
  EXPECT_EQ((*keys)[1].key.hash(), crypto::RsaOaepHash::kSha1);
  EXPECT_FALSE((*keys)[1].verified);
  EXPECT_GT((*keys)[0].created_at, 0);
  // No key material in clear in the file.
  const Bytes raw = file_bytes(file);
  const auto der = test_key(0).pkcs8_der().value();
  EXPECT_EQ(std::search(raw.begin(), raw.end(), der.reveal().begin() + 30, der.reveal().begin() + 60), raw.end());
}

TEST(EncryptedFileKeyStore, WrongPassphraseLosesNothing) {
  TempDir dir;
  const fs::path file = dir.path / "keys.cks";
  auto s = EncryptedFileKeyStore::open(file, pass("right"), kFast);
  ASSERT_OK(s);
  ASSERT_OK((*s)->put("a", test_key(0), true));
  const Bytes before = file_bytes(file);
  EXPECT_ERROR_CODE(EncryptedFileKeyStore::open(file, pass("wrong"), kFast), ErrorCode::kUnauthenticated);
  EXPECT_ERROR_CODE(EncryptedFileKeyStore::open(file, SecretBytes{}, kFast), ErrorCode::kUnauthenticated);
  auto wrong = EncryptedFileKeyStore::open(file, pass("wrong"), kFast);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("wrong passphrase"), std::string::npos) << wrong.error().message();
  EXPECT_EQ(file_bytes(file), before);
  ASSERT_OK(EncryptedFileKeyStore::open(file, pass("right"), kFast));
}

TEST(EncryptedFileKeyStore, TruncatedOrFlippedFilesAreTypedErrors) {
  TempDir dir;
  const fs::path file = dir.path / "keys.cks";
  auto s = EncryptedFileKeyStore::open(file, pass("p"), kFast);
  ASSERT_OK(s);
  ASSERT_OK((*s)->put("a", test_key(0), true));
  const Bytes good = file_bytes(file);
  for (std::size_t len = 0; len < good.size(); len += (len < 64 ? 1 : 97)) {
    auto r = EncryptedFileKeyStore::decode(ByteView(good).first(len), pass("p"));
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_TRUE(r.error().code() == ErrorCode::kMalformedInput || r.error().code() == ErrorCode::kUnauthenticated);
  }
  for (std::size_t i = 0; i < good.size(); i += 13) {
    Bytes bad = good;
    bad[i] ^= 0x04;
    auto r = EncryptedFileKeyStore::decode(bad, pass("p"));
    EXPECT_FALSE(r.ok()) << "flip at " << i;
  }
  // Header parameters out of range (a hostile file asking for huge scrypt costs) are refused early.
  Bytes costly = good;
  costly[5] = 40;
  EXPECT_ERROR_CODE(EncryptedFileKeyStore::decode(costly, pass("p")), ErrorCode::kMalformedInput);
  // Opening a tampered file fails and leaves it as it was.
  Bytes tampered = good;
  tampered.back() ^= 1;
  write_bytes(file, tampered);
  EXPECT_ERROR_CODE(EncryptedFileKeyStore::open(file, pass("p"), kFast), ErrorCode::kUnauthenticated);
  EXPECT_EQ(file_bytes(file), tampered);
  write_bytes(file, as_bytes("not a key store"));
  EXPECT_ERROR_CODE(EncryptedFileKeyStore::open(file, pass("p"), kFast), ErrorCode::kMalformedInput);
}

TEST(EncryptedFileKeyStore, ConcurrentWritersLoseNoKey) {
  TempDir dir;
  const fs::path file = dir.path / "keys.cks";
  ASSERT_OK(EncryptedFileKeyStore::open(file, pass("p"), kFast));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      // Separate store objects: as separate processes would (the file lock serialises them).
      auto s = EncryptedFileKeyStore::open(file, pass("p"), kFast);
      if (!s.ok()) return;
      EXPECT_TRUE((*s)->put("owner-" + std::to_string(t), test_key(t % 3), true).ok());
    });
  }
  for (auto& th : threads) th.join();
  auto s = EncryptedFileKeyStore::open(file, pass("p"), kFast);
  ASSERT_OK(s);
  EXPECT_EQ((*s)->data_owners()->size(), 8u);
  // No temporary file left behind.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path))
    files += e.path().filename().string().find(".tmp.") == std::string::npos ? 0 : 1;
  EXPECT_EQ(files, 0);
}

TEST(EncryptedFileKeyStore, FailedWriteLeavesTheOldFile) {
  TempDir dir;
  const fs::path file = dir.path / "keys.cks";
  auto s = EncryptedFileKeyStore::open(file, pass("p"), kFast);
  ASSERT_OK(s);
  ASSERT_OK((*s)->put("a", test_key(0), true));
  const Bytes before = file_bytes(file);
  // A file size limit makes the next (larger) write fail half-way, even for root.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  ::getrlimit(RLIMIT_FSIZE, &old);
  rlimit small = old;
  small.rlim_cur = before.size();
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto r = (*s)->put("b", test_key(1), true);
  ::setrlimit(RLIMIT_FSIZE, &old);
  EXPECT_ERROR_CODE(r, ErrorCode::kIo);
  EXPECT_EQ(file_bytes(file), before);
  auto reopened = EncryptedFileKeyStore::open(file, pass("p"), kFast);
  ASSERT_OK(reopened);
  EXPECT_EQ((*reopened)->keys_of("a")->size(), 1u);
  EXPECT_TRUE((*reopened)->keys_of("b")->empty());
}

}  // namespace
}  // namespace cardinal::keys
