// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Every `cardinal` command against a real devserver and temporary key stores: outputs, exit
// codes, and the error paths (wrong passphrase, malformed JSON, unknown type, unverified key).

#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"
#include "test_util.hpp"

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

namespace cardinal {
namespace {

struct Run {
  int status = -1;
  std::string out;
};

// Runs the CLI through the shell with `env` prepended; stdout captured, stderr to `err`.
Run cli(const std::string& args, const std::string& env = "", const std::string& input = "",
        const std::string& err = "/tmp/cardinal-cli-test-stderr") {
  std::string command = env + " " + CARDINAL_CLI + " " + args + " 2>" + err;
  if (!input.empty()) command = "printf '%s' '" + input + "' | " + command;
  Run r;
  FILE* p = popen(command.c_str(), "r");
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int raw = pclose(p);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

Json json_of(const Run& r) { return parse_json(r.out).value_or(Json()); }

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char t[] = "/tmp/cardinal-cli-XXXXXX";
    dir_ = mkdtemp(t);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(CliTest, HelpAndUsage) {
  EXPECT_EQ(cli("--help").status, 0);
  EXPECT_NE(cli("--help").out.find("keys generate"), std::string::npos);
  EXPECT_EQ(cli("keys list --help").status, 0);
  EXPECT_EQ(cli("").status, 2);
  EXPECT_EQ(cli("frobnicate").status, 2);
  EXPECT_EQ(cli("keys generate", "CARDINAL_PASSPHRASE=p").status, 2);  // missing --store
}

TEST_F(CliTest, EachCommandPrintsItsOwnUsage) {
  const std::string general = cli("--help").out;
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"keys generate", "--bits"},          {"keys list", "cardinal keys list"},
      {"keys export-public", "export-public --store"}, {"keys fingerprint", "verification codes"},
      {"keys verify-code", "--other-owner"}, {"entity encrypt", "--manifest"},
      {"login", "cardinal login --url"},     {"get", "cardinal get --type"},
      {"share", "--with DATA_OWNER"},        {"recovery", "recovery restore"}};
  for (const auto& [command, expected] : commands) {
    const auto r = cli(command + " --help");
    EXPECT_EQ(r.status, 0) << command;
    EXPECT_NE(r.out, general) << command << " --help printed the general usage";
    EXPECT_NE(r.out.find("usage: cardinal " + command.substr(0, command.find(' '))), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(expected), std::string::npos) << command << ":\n" << r.out;
  }
  // A command's usage does not list the others.
  EXPECT_EQ(cli("share --help").out.find("keys generate"), std::string::npos);
  EXPECT_EQ(cli("keys generate -h").out.find("recovery"), std::string::npos);
}

TEST_F(CliTest, HostileNestingInAnInputFileIsAClearError) {
  const std::string key = std::string(64, '1');
  for (const std::size_t depth : {1'000u, 10'000u, 100'000u, 1'000'000u}) {
    const std::string file = path("deep.json");
    std::ofstream(file) << R"({"descr":)" << std::string(depth, '[') << std::string(depth, ']') << "}";
    for (const std::string sub : {"encrypt", "decrypt"}) {
      const std::string err = path("stderr");  // this test's own: tests may run in parallel
      const auto r = cli("entity " + sub + " --type HealthElement --key " + key + " < " + file, "", "", err);
      EXPECT_EQ(r.status, 1) << depth << ' ' << sub;  // an error, not a crash (a signal gives -1)
      EXPECT_EQ(r.out, "");
      const std::string message = testing::read_file(err);
      EXPECT_NE(message.find("nested deeper than 128"), std::string::npos) << message;
    }
  }
}

TEST_F(CliTest, KeyStoreCommands) {
  const std::string env = "CARDINAL_PASSPHRASE=secret-pass";
  const std::string store = "--store " + path("k.cks");
  auto gen = cli("keys generate " + store + " --owner hcp-a", env);
  ASSERT_EQ(gen.status, 0);
  const std::string spki = json_of(gen)["publicKey"];
  EXPECT_TRUE(spki.ends_with("0203010001"));
  auto list = cli("keys list " + store, env);
  ASSERT_EQ(list.status, 0);
  ASSERT_EQ(json_of(list).size(), 1u);
  EXPECT_EQ(json_of(list)[0]["owner"], "hcp-a");
  EXPECT_EQ(list.out.find("PRIVATE"), std::string::npos);
  auto pub = cli("keys export-public " + store + " --owner hcp-a", env);
  ASSERT_EQ(pub.status, 0);
  EXPECT_EQ(json_of(pub)[0]["publicKey"], spki);
  auto fp = cli("keys fingerprint " + store, env);
  ASSERT_EQ(fp.status, 0);
  const std::string code = json_of(fp)[0]["verificationCode"];
  auto verify = cli("keys verify-code " + spki + " --owner hcp-a");
  ASSERT_EQ(verify.status, 0);
  EXPECT_EQ(json_of(verify)["verificationCode"], code);
  auto pair = cli("keys verify-code " + spki + " " + spki + " --owner hcp-a --other-owner hcp-b");
  ASSERT_EQ(pair.status, 0);
  EXPECT_EQ(std::string(json_of(pair)["verificationCode"]).size(), 71u);
  EXPECT_EQ(cli("keys verify-code abcd --owner x").status, 1);
  // Wrong passphrase: a one-line typed error, the file unchanged.
  auto wrong = cli("keys list " + store, "CARDINAL_PASSPHRASE=wrong");
  EXPECT_EQ(wrong.status, 1);
  EXPECT_EQ(wrong.out, "");
  EXPECT_EQ(cli("keys list " + store, env).status, 0);
  // Passphrase from a file.
  std::ofstream(path("pass")) << "secret-pass\n";
  EXPECT_EQ(cli("keys list " + store + " --passphrase-file " + path("pass")).status, 0);
}

TEST_F(CliTest, OfflineEntityCommands) {
  const std::string key = std::string(64, '1');
  auto enc = cli("entity encrypt --type HealthElement --key " + key, "", R"({"descr":"secret","code":"I10"})");
  ASSERT_EQ(enc.status, 0);
  const Json e = json_of(enc);
  EXPECT_FALSE(e.contains("descr"));
  EXPECT_EQ(e["code"], "I10");
  auto dec = cli("entity decrypt --type HealthElement --key " + key, "", e.dump());
  ASSERT_EQ(dec.status, 0);
  EXPECT_EQ(json_of(dec)["descr"], "secret");
  EXPECT_EQ(cli("entity decrypt --type HealthElement --key " + std::string(64, '2'), "", e.dump()).status, 1);
  EXPECT_EQ(cli("entity encrypt --type HealthElement --key " + key, "", "{not json").status, 1);
  EXPECT_EQ(cli("entity encrypt --type NoSuchType --key " + key, "", "{}").status, 1);
  auto custom =
      cli("entity encrypt --type HealthElement --manifest code --key " + key, "", R"({"descr":"d","code":"c"})");
  ASSERT_EQ(custom.status, 0);
  EXPECT_TRUE(json_of(custom).contains("descr"));
  EXPECT_FALSE(json_of(custom).contains("code"));
}

TEST_F(CliTest, BackendCommands) {
  testing::DevServer server;
  const std::string url = "--url " + server.base_url();
  const std::string env = "CARDINAL_PASSPHRASE=p CARDINAL_PASSWORD=pw";
  const std::string alice = url + " --user alice --store " + path("alice.cks");
  const std::string bob = url + " --user bob --store " + path("bob.cks");
  auto login = cli("login " + alice, env);
  ASSERT_EQ(login.status, 0);
  EXPECT_EQ(json_of(login)["dataOwnerId"], "hcp-alice");
  ASSERT_EQ(cli("login " + bob, env).status, 0);
  EXPECT_EQ(json_of(cli("whoami " + alice, env))["publicKeys"].size(), 1u);  // no second key
  EXPECT_EQ(
      cli("login " + url + " --user alice --store " + path("alice.cks"), "CARDINAL_PASSPHRASE=p CARDINAL_PASSWORD=bad")
          .status,
      1);

  // A record written through the SDK by alice, shared and read with the CLI.
  std::string id, id2;
  {
    SdkOptions o;
    o.base_url = server.base_url();
    o.username = "alice";
    o.password = SecretBytes::from_string("pw");
    o.key_store = keys::EncryptedFileKeyStore::open(path("alice.cks"), SecretBytes::from_string("p")).value();
    o.strategies = std::make_shared<BasicCryptoStrategies>();
    auto sdk = CardinalSdk::initialize(std::move(o));
    ASSERT_OK(sdk);
    auto he = (*sdk)->health_elements().create(Json{{"descr", "via cli"}});
    ASSERT_OK(he);
    id = he->entity["id"];
    auto he2 = (*sdk)->health_elements().create(Json{{"descr", "second via cli"}});
    ASSERT_OK(he2);
    id2 = he2->entity["id"];
  }
  auto got = cli("get " + alice + " --type HealthElement --id " + id, env);
  ASSERT_EQ(got.status, 0);
  EXPECT_EQ(json_of(got)["descr"], "via cli");
  // Bob's key is not verified yet: refused until the user trusts it.
  EXPECT_EQ(cli("share " + alice + " --type HealthElement --id " + id + " --with hcp-bob", env).status, 1);
  EXPECT_EQ(cli("get " + bob + " --type HealthElement --id " + id, env).status, 1);
  auto shared = cli("share " + alice + " --type HealthElement --id " + id + " --with hcp-bob --trust-new-keys", env);
  ASSERT_EQ(shared.status, 0);
  EXPECT_EQ(json_of(shared)[0]["outcome"], "new share");
  EXPECT_EQ(json_of(cli("get " + bob + " --type HealthElement --id " + id, env))["descr"], "via cli");
  // The same share again changes nothing, and says so; a write share upgrades.
  auto again = cli("share " + alice + " --type HealthElement --id " + id + " --with hcp-bob --trust-new-keys", env);
  EXPECT_EQ(json_of(again)[0]["outcome"], "already shared (nothing sent)");
  auto write = cli("share " + alice + " --type HealthElement --id " + id + " --with hcp-bob --write --trust-new-keys", env);
  EXPECT_EQ(json_of(write)[0]["outcome"], "upgraded to write");
  // Several ids at once (one bulk share): an outcome for each.
  auto both = cli("share " + alice + " --type HealthElement --id " + id + " --id " + id2 + " --with hcp-bob --trust-new-keys", env);
  ASSERT_EQ(both.status, 0);
  EXPECT_EQ(json_of(both)[0]["outcome"], "already shared (nothing sent)");
  EXPECT_EQ(json_of(both)[1]["outcome"], "new share");
  EXPECT_EQ(json_of(cli("get " + bob + " --type HealthElement --id " + id2, env))["descr"], "second via cli");
  EXPECT_EQ(cli("get " + alice + " --type Unknown --id " + id, env).status, 1);

  // Recovery: create, then restore on a fresh store.
  auto rec = cli("recovery create " + alice, env);
  ASSERT_EQ(rec.status, 0);
  const std::string recovery_key = json_of(rec)["recoveryKey"];
  const std::string fresh = url + " --user alice --store " + path("alice-new.cks");
  auto restored = cli("recovery restore " + fresh, env + " CARDINAL_RECOVERY_KEY=" + recovery_key);
  ASSERT_EQ(restored.status, 0);
  EXPECT_EQ(json_of(restored)["publicKeys"], json_of(login)["publicKeys"]);
  EXPECT_EQ(json_of(cli("get " + fresh + " --type HealthElement --id " + id, env))["descr"], "via cli");
}

}  // namespace
}  // namespace cardinal
