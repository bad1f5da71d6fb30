// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// cardinal: the command-line tool of cardinal-cpp (key stores, verification codes, recovery,
// offline entity encryption, and calls to a backend). Built on the public SDK API only.
// JSON on stdout where it prints data; exit 0 on success, 1 with a one-line error otherwise,
// 2 on a usage error.

#include <cardinal/content/entity_content.hpp>
#include <cardinal/crypto/encoding.hpp>
#include <cardinal/keys/key_store.hpp>
#include <cardinal/keys/verification.hpp>
#include <cardinal/sdk.hpp>

#include <termios.h>
#include <unistd.h>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace {

using namespace cardinal;

struct Args {
  std::vector<std::string> positional;
  std::multimap<std::string, std::string> options;
  std::set<std::string> flags;
  [[nodiscard]] std::optional<std::string> get(const std::string& k) const {
    auto it = options.find(k);
    return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  [[nodiscard]] std::vector<std::string> all(const std::string& k) const {
    std::vector<std::string> out;
    for (auto [a, b] = options.equal_range(k); a != b; ++a) out.push_back(a->second);
    return out;
  }
  [[nodiscard]] bool has(const std::string& f) const { return flags.count(f) != 0; }
};

const std::set<std::string> kFlags = {"--help", "-h", "--write", "--trust-new-keys", "--sha1", "--insecure"};

Args parse_args(int argc, char** argv, int from) {
  Args a;
  for (int i = from; i < argc; ++i) {
    std::string s = argv[i];
    if (kFlags.count(s) != 0) {
      a.flags.insert(s == "-h" ? "--help" : s);
    } else if (s.rfind("--", 0) == 0 && i + 1 < argc) {
      a.options.emplace(s, argv[++i]);
    } else if (s.rfind("--", 0) == 0) {
      a.options.emplace(s, "");
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

class UsageError : public std::exception {
 public:
  explicit UsageError(std::string m) : message(std::move(m)) {}
  std::string message;
};

[[noreturn]] void fail(const Error& e) {
  std::cerr << "cardinal: " << e.to_string() << "\n";
  std::exit(1);
}
template <typename T>
T must(Result<T> r) {
  if (!r.ok()) fail(r.error());
  return std::move(r).value();
}
void must(const Status& s) {
  if (!s.ok()) fail(s.error());
}

std::string require(const Args& a, const std::string& k) {
  auto v = a.get(k);
  if (!v || v->empty()) throw UsageError("missing " + k);
  return *v;
}

// Reads `in` up to `max` bytes plus one (so that a longer input is seen as too long, not cut).
std::string read_bounded(std::istream& in, std::size_t max) {
  std::string out;
  char buf[65536];
  while (out.size() <= max && in.read(buf, sizeof buf).gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in.gcount()));
  }
  return out;
}

// A secret from a file (first line), an environment variable, or a prompt without echo.
SecretBytes secret(const Args& a, const std::string& file_option, const char* env, const char* prompt) {
  if (auto f = a.get(file_option)) {
    std::ifstream in(*f);
    if (!in) fail(Error{ErrorCode::kIo, "cannot read " + *f});
    std::string line;
    std::getline(in, line);
    SecretBytes s = SecretBytes::from_string(line);
    detail::secure_wipe(line.data(), line.size());
    return s;
  }
  if (const char* v = std::getenv(env)) return SecretBytes::from_string(v);
  if (!isatty(STDIN_FILENO))
    fail(Error{ErrorCode::kInvalidArgument, std::string("no ") + prompt + " (use " + file_option + " or " + env + ")"});
  std::cerr << prompt << ": ";
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  SecretBytes s = SecretBytes::from_string(line);
  detail::secure_wipe(line.data(), line.size());
  return s;
}

std::shared_ptr<keys::KeyStore> open_store(const Args& a) {
  const std::string path = require(a, "--store");
  return must(keys::EncryptedFileKeyStore::open(
      path, secret(a, "--passphrase-file", "CARDINAL_PASSPHRASE", "key store passphrase")));
}

Json key_json(const std::string& owner, const keys::StoredKey& k) {
  const auto& pub = k.key.public_key();
  return Json{{"owner", owner},
              {"algorithm", std::string(crypto::to_string(pub.hash()))},
              {"fingerprintV1", pub.fingerprint_v1()},
              {"fingerprintV2", pub.fingerprint_v2()},
              {"verified", k.verified},
              {"createdAt", k.created_at}};
}

void print(const Json& j) { std::cout << j.dump(2) << "\n"; }

// ----- keys -----

int keys_cmd(const std::string& sub, const Args& a) {
  if (sub == "generate") {
    auto store = open_store(a);
    const std::string owner = require(a, "--owner");
    const int bits = std::atoi(a.get("--bits").value_or("2048").c_str());
    auto key = must(crypto::RsaPrivateKey::generate(
        bits, a.has("--sha1") ? crypto::RsaOaepHash::kSha1 : crypto::RsaOaepHash::kSha256));
    must(store->put(owner, key, true));
    print(Json{{"owner", owner},
               {"publicKey", key.public_key().spki_hex()},
               {"fingerprintV2", key.public_key().fingerprint_v2()}});
    return 0;
  }
  if (sub == "list") {
    auto store = open_store(a);
    Json out = Json::array();
    for (const auto& owner : must(store->data_owners())) {
      for (const auto& k : must(store->keys_of(owner))) out.push_back(key_json(owner, k));
    }
    print(out);
    return 0;
  }
  if (sub == "export-public" || sub == "fingerprint") {
    auto store = open_store(a);
    Json out = Json::array();
    for (const auto& owner : must(store->data_owners())) {
      if (a.get("--owner") && *a.get("--owner") != owner) continue;
      for (const auto& k : must(store->keys_of(owner))) {
        const std::string spki = k.key.public_key().spki_hex();
        Json e = Json{{"owner", owner}, {"fingerprintV2", k.key.public_key().fingerprint_v2()}};
        if (sub == "export-public") {
          e["publicKey"] = spki;
          e["algorithm"] = std::string(crypto::to_string(k.key.hash()));
        } else {
          e["verificationCode"] = must(keys::verification_code(owner, spki));
          e["qr"] = must(keys::verification_qr_payload(owner, spki));
        }
        out.push_back(e);
      }
    }
    print(out);
    return 0;
  }
  if (sub == "verify-code") {
    if (a.positional.empty() || a.positional.size() > 2) throw UsageError("verify-code <spki-hex> [<spki-hex>]");
    const std::string owner = require(a, "--owner");
    if (a.positional.size() == 1) {
      print(Json{{"owner", owner}, {"verificationCode", must(keys::verification_code(owner, a.positional[0]))}});
    } else {
      const std::string other = require(a, "--other-owner");
      print(Json{
          {"owners", Json::array({owner, other})},
          {"verificationCode", must(keys::pair_verification_code(owner, a.positional[0], other, a.positional[1]))}});
    }
    return 0;
  }
  throw UsageError("unknown keys command '" + sub + "'");
}

// ----- entity (offline) -----

int entity_cmd(const std::string& sub, const Args& a) {
  const std::string type = require(a, "--type");
  auto manifest = a.get("--manifest") ? [&] {
    std::vector<std::string> entries;
    std::stringstream ss(*a.get("--manifest"));
    std::string item;
    while (std::getline(ss, item, ',')) entries.push_back(item);
    return must(EncryptedFieldsManifest::parse(entries));
  }()
                                      : must(EncryptedFieldsManifest::platform_default(type));
  auto key = must(crypto::AesKey::create(must(crypto::hex_decode_secret(require(a, "--key")))));
  // Bounded like every JSON the SDK parses (JsonLimits: depth and size checked before parsing).
  const JsonLimits limits;
  auto input = parse_json(read_bounded(std::cin, limits.max_bytes), limits);
  if (!input.ok()) fail(Error{ErrorCode::kMalformedInput, "standard input is not usable JSON: " + input.error().message()});
  if (sub == "encrypt" && type == "Contact") {
    // Services are encrypted one by one, as the official SDK does.
    print(must(encrypt_contact_content(*input, key, manifest, must(EncryptedFieldsManifest::platform_default("Service")))));
  } else if (sub == "encrypt") {
    print(must(encrypt_entity_content(*input, key, manifest)));
  } else if (sub == "decrypt") {
    std::vector<std::string> warnings;
    print(must(decrypt_entity_content(*input, {key}, &warnings)));
    for (const auto& w : warnings) std::cerr << "cardinal: warning: " << w << "\n";
  } else {
    throw UsageError("unknown entity command '" + sub + "'");
  }
  return 0;
}

// ----- backend -----

std::unique_ptr<CardinalSdk> connect(const Args& a, std::optional<SecretBytes> recovery = std::nullopt) {
  SdkOptions o;
  o.base_url = require(a, "--url");
  o.username = require(a, "--user");
  o.password = secret(a, "--password-file", "CARDINAL_PASSWORD", "password");
  o.key_store = open_store(a);
  const std::string pins = a.get("--pins").value_or(require(a, "--store") + ".pins");
  const bool trust_new = a.has("--trust-new-keys");
  auto verifier = must(keys::PinnedKeyVerifier::open(pins, [trust_new](const keys::PinnedKeyVerifier::KeyEvent& e) {
    if (e.owner_has_other_pins) {
      std::cerr << "cardinal: refusing a new key of " << e.data_owner_id << " (code " << e.code
                << "): it differs from the pinned one\n";
      return keys::PinnedKeyVerifier::Decision::kReject;
    }
    if (!trust_new) {
      std::cerr << "cardinal: key of " << e.data_owner_id << " not verified (code " << e.code
                << "); compare it out of band, then repeat with --trust-new-keys\n";
      return keys::PinnedKeyVerifier::Decision::kReject;
    }
    std::cerr << "cardinal: trusting the key of " << e.data_owner_id << " on first use (code " << e.code << ")\n";
    return keys::PinnedKeyVerifier::Decision::kAccept;
  }));
  o.strategies = std::make_shared<keys::PinningCryptoStrategies>(verifier);
  o.on_tamper = [](const TamperReport& t) {
    std::cerr << "cardinal: tampering detected on " << t.record_kind << " " << t.record_id << ": " << t.error.message()
              << "\n";
  };
  if (recovery) o.recovery_key = *recovery;
  return must(CardinalSdk::initialize(std::move(o)));
}

EntityApi& entity_api(CardinalSdk& sdk, const Args& a) { return *must(sdk.entities(require(a, "--type"))); }

int backend_cmd(const std::string& cmd, const Args& a) {
  if (cmd == "login" || cmd == "whoami") {
    auto sdk = connect(a);
    print(Json{{"dataOwnerId", sdk->crypto().data_owner_id()}, {"publicKeys", sdk->crypto().verified_public_keys()}});
    return 0;
  }
  if (cmd == "get") {
    auto sdk = connect(a);
    auto e = must(entity_api(*sdk, a).get(require(a, "--id")));
    for (const auto& w : e.warnings) std::cerr << "cardinal: warning: " << w << "\n";
    print(e.entity);
    return 0;
  }
  if (cmd == "share") {
    auto sdk = connect(a);
    const auto ids = a.all("--id");
    if (ids.empty()) throw UsageError("missing --id");
    const std::string with = require(a, "--with");
    const ShareOptions options{.level = a.has("--write") ? AccessLevel::kWrite : AccessLevel::kRead};
    // Every entity in one request, shared in one bulk request (plus the delegate's keys).
    EntityApi& api = entity_api(*sdk, a);
    auto got = must(api.get_many(ids));
    std::vector<EntityToShare> batch;
    for (auto& e : got) batch.push_back(EntityToShare{must(std::move(e)).entity, {{with, options}}});
    auto results = must(api.share_many(batch));
    Json out = Json::array();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto& r = results[i];
      if (!r.ok()) fail(r.error());
      const ShareOutcome o = must(std::move(r->delegates.at(with)));
      const char* outcome = "new share";
      if (o == ShareOutcome::kUpgraded) outcome = "upgraded to write";
      if (o == ShareOutcome::kExtended) outcome = "extended";
      if (o == ShareOutcome::kAlreadyShared) outcome = "already shared (nothing sent)";
      out.push_back(Json{{"id", ids[i]}, {"sharedWith", with}, {"outcome", outcome}});
    }
    print(out);
    return 0;
  }
  if (cmd == "recovery") {
    if (a.positional.empty()) throw UsageError("recovery create|restore");
    if (a.positional[0] == "create") {
      auto sdk = connect(a);
      std::optional<std::int64_t> lifetime;
      if (auto l = a.get("--lifetime")) lifetime = std::atoll(l->c_str());
      auto key = must(sdk->crypto().create_recovery_key(lifetime));
      std::cerr << "cardinal: WARNING: this recovery key is shown once. Anyone holding it can recover your\n"
                   "private keys: write it down and keep it offline.\n";
      print(Json{{"recoveryKey", std::string(key.reveal_as_text())}});
      return 0;
    }
    if (a.positional[0] == "restore") {
      if (isatty(STDERR_FILENO) != 0) std::cerr << "restoring keys…" << std::flush;
      auto sdk = connect(a, secret(a, "--recovery-key-file", "CARDINAL_RECOVERY_KEY", "recovery key"));
      if (isatty(STDERR_FILENO) != 0) std::cerr << " done\n";
      print(Json{{"dataOwnerId", sdk->crypto().data_owner_id()}, {"publicKeys", sdk->crypto().verified_public_keys()}});
      return 0;
    }
    throw UsageError("recovery create|restore");
  }
  throw UsageError("unknown command '" + cmd + "'");
}

const char* kUsage = R"(usage: cardinal <command> [options]

Key stores (--store FILE; passphrase from --passphrase-file, CARDINAL_PASSPHRASE or a prompt):
  keys generate --store F --owner ID [--bits 2048|4096] [--sha1]
  keys list --store F
  keys export-public --store F [--owner ID]
  keys fingerprint --store F [--owner ID]           verification codes of your keys
  keys verify-code <spki-hex> [<spki-hex>] --owner ID [--other-owner ID]

Offline, one record (JSON on stdin):
  entity encrypt|decrypt --type TYPE --key HEX [--manifest "descr,notes[].markdown"]

Against a backend (--url URL --user LOGIN --store F; password from --password-file,
CARDINAL_PASSWORD or a prompt; delegate keys are pinned in --pins FILE, default F.pins, and a
key seen for the first time is trusted only with --trust-new-keys, on any of these commands):
  login | whoami
  get --type TYPE --id ID
  share --type TYPE --id ID [--id ID …] --with DATA_OWNER [--write]   (all ids in one bulk share)
  recovery create [--lifetime SECONDS]
  recovery restore [--recovery-key-file FILE | CARDINAL_RECOVERY_KEY]

Every command accepts --help. Exit status: 0 success, 1 error, 2 usage.
)";

// Usage of one command (`cardinal <command> --help`). Empty when there is no such command.
std::string command_usage(const std::string& cmd, const std::string& sub) {
  const std::string passphrase =
      "  The key store passphrase comes from --passphrase-file FILE, CARDINAL_PASSPHRASE or a prompt.\n";
  const std::string backend =
      "  Backend options: --url URL --user LOGIN --store FILE; password from --password-file FILE,\n"
      "  CARDINAL_PASSWORD or a prompt; delegate keys pinned in --pins FILE (default FILE.pins);\n"
      "  --trust-new-keys trusts a key seen for the first time (compare its code out of band first).\n" +
      passphrase;
  if (cmd == "keys") {
    if (sub == "generate") {
      return "usage: cardinal keys generate --store FILE --owner ID [--bits 2048|4096] [--sha1]\n"
             "  Generates a key pair for data owner ID and stores it, verified, in the key store.\n"
             "  --bits   RSA modulus size (default 2048)\n"
             "  --sha1   a key for RSA-OAEP with SHA-1 (legacy data); default SHA-256\n" +
             passphrase;
    }
    if (sub == "list") {
      return "usage: cardinal keys list --store FILE\n"
             "  Lists the key pairs in the key store (owner, algorithm, fingerprints; never private keys).\n" +
             passphrase;
    }
    if (sub == "export-public") {
      return "usage: cardinal keys export-public --store FILE [--owner ID]\n"
             "  Prints the public keys (SPKI hex) of the key store, or of one data owner.\n" +
             passphrase;
    }
    if (sub == "fingerprint") {
      return "usage: cardinal keys fingerprint --store FILE [--owner ID]\n"
             "  Prints the verification codes (and QR payloads) of your keys, to compare out of band.\n" +
             passphrase;
    }
    if (sub == "verify-code") {
      return "usage: cardinal keys verify-code <spki-hex> [<spki-hex>] --owner ID [--other-owner ID]\n"
             "  Prints the verification code of a public key of data owner ID; with two keys, the\n"
             "  code of the pair (the second key belongs to --other-owner). No key store needed.\n";
    }
    return "usage: cardinal keys generate|list|export-public|fingerprint|verify-code [options]\n"
           "  Key store commands; `cardinal keys <command> --help` for each.\n";
  }
  if (cmd == "entity") {
    return "usage: cardinal entity encrypt|decrypt --type TYPE --key HEX [--manifest FIELDS]\n"
           "  Encrypts (or decrypts) one record read as JSON on standard input, offline, with the\n"
           "  entity key HEX (32 bytes); prints the result on standard output.\n"
           "  --type      the entity type (its platform manifest is used unless --manifest is given)\n"
           "  --manifest  encrypted fields, comma separated, e.g. \"descr,notes[].markdown\"\n";
  }
  if (cmd == "login" || cmd == "whoami") {
    return "usage: cardinal " + cmd + " --url URL --user LOGIN --store FILE\n"
           "  Signs in, loads or creates the user's keys, prints the data owner id and its public keys.\n" +
           backend;
  }
  if (cmd == "get") {
    return "usage: cardinal get --type TYPE --id ID --url URL --user LOGIN --store FILE\n"
           "  Reads and decrypts one entity; warnings go to standard error.\n" +
           backend;
  }
  if (cmd == "share") {
    return "usage: cardinal share --type TYPE --id ID [--id ID ...] --with DATA_OWNER [--write]\n"
           "                      --url URL --user LOGIN --store FILE\n"
           "  Shares entities with a data owner, read-only unless --write.\n" +
           backend;
  }
  if (cmd == "recovery") {
    return "usage: cardinal recovery create [--lifetime SECONDS] --url URL --user LOGIN --store FILE\n"
           "       cardinal recovery restore [--recovery-key-file FILE] --url URL --user LOGIN --store FILE\n"
           "  create: backs up your key pairs on the server under a new recovery key, shown once.\n"
           "  restore: on a new device, restores the key pairs with a recovery key (from the file,\n"
           "  CARDINAL_RECOVERY_KEY or a prompt).\n" +
           backend;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  const bool grouped = cmd == "keys" || cmd == "entity";
  const std::string sub = grouped && argc > 2 ? argv[2] : "";
  const Args a = parse_args(argc, argv, grouped ? 3 : 2);
  if (a.has("--help")) {
    const std::string usage = command_usage(cmd, sub);
    std::cout << (usage.empty() ? std::string(kUsage) : usage);
    return 0;
  }
  try {
    if (cmd == "keys") return keys_cmd(sub, a);
    if (cmd == "entity") return entity_cmd(sub, a);
    return backend_cmd(cmd, a);
  } catch (const UsageError& e) {
    std::cerr << "cardinal: " << e.message << " (see cardinal --help)\n";
    return 2;
  }
}
