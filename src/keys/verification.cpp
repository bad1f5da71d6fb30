// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>
#include <cardinal/json.hpp>
#include <cardinal/keys/verification.hpp>

#include "common/files.hpp"

#include <cstdio>
#include <optional>

namespace cardinal::keys {

namespace {

constexpr int kIterations = 5200;
constexpr std::size_t kMaxPinFile = 8 * 1024 * 1024;

Result<Bytes> digest(const std::string& owner, const std::string& spki_hex) {
  CARDINAL_ASSIGN_OR_RETURN(auto key, crypto::RsaPublicKey::from_spki_hex(spki_hex, crypto::RsaOaepHash::kSha256));
  const Bytes& spki = key.spki_der();
  Bytes input = {0x00, 0x01};
  input.insert(input.end(), owner.begin(), owner.end());
  input.push_back(0x00);
  input.insert(input.end(), spki.begin(), spki.end());
  Bytes d = crypto::sha512(input);
  for (int i = 1; i < kIterations; ++i) {
    Bytes round = d;
    round.insert(round.end(), spki.begin(), spki.end());
    d = crypto::sha512(round);
  }
  return d;
}

std::string digits_of(const Bytes& d, std::size_t groups) {
  std::string out;
  for (std::size_t g = 0; g < groups; ++g) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 5; ++i) v = (v << 8) | d[5 * g + i];
    char buf[8];
    std::snprintf(buf, sizeof buf, "%05u", static_cast<unsigned>(v % 100000));
    if (!out.empty()) out += ' ';
    out += buf;
  }
  return out;
}

}  // namespace

Result<std::string> verification_code(const std::string& owner, const std::string& spki_hex) {
  CARDINAL_ASSIGN_OR_RETURN(Bytes d, digest(owner, spki_hex));
  return digits_of(d, 12);
}

Result<std::string> pair_verification_code(const std::string& owner_a, const std::string& spki_a,
                                           const std::string& owner_b, const std::string& spki_b) {
  CARDINAL_ASSIGN_OR_RETURN(Bytes a, digest(owner_a, spki_a));
  CARDINAL_ASSIGN_OR_RETURN(Bytes b, digest(owner_b, spki_b));
  std::string ca = digits_of(a, 6), cb = digits_of(b, 6);
  if (cb < ca) std::swap(ca, cb);
  return ca + " " + cb;
}

Result<std::string> verification_qr_payload(const std::string& owner, const std::string& spki_hex) {
  CARDINAL_ASSIGN_OR_RETURN(Bytes d, digest(owner, spki_hex));
  return "cvc1:" + crypto::hex_encode(ByteView(d).first(32));
}

namespace {

const char* hash_name(crypto::RsaOaepHash h) { return h == crypto::RsaOaepHash::kSha1 ? "sha-1" : "sha-256"; }

std::optional<crypto::RsaOaepHash> parse_hash_name(const Json& j) {
  if (!j.is_string()) return std::nullopt;
  const auto& s = j.get_ref<const std::string&>();
  if (s == "sha-1") return crypto::RsaOaepHash::kSha1;
  if (s == "sha-256") return crypto::RsaOaepHash::kSha256;
  return std::nullopt;
}

// The checksum of a pin file: SHA-256 (hex) of the compact serialisation of its "pins" object.
// It detects a corrupted file (a flipped byte, a truncated write restored from a bad backup);
// it is not a MAC: whoever can write the file can also recompute it (device compromise is out
// of scope, see docs/security-model.md).
std::string pins_checksum(const Json& pins) {
  const std::string text = pins.dump();
  return crypto::hex_encode(crypto::sha256(as_bytes(text)));
}

Error corrupted_pin_file(const std::filesystem::path& path, const std::string& why) {
  return Error{ErrorCode::kMalformedInput,
               "pin file " + path.string() + " is corrupted (" + why +
                   "): no pin was loaded; restore the file from a backup, or move it away and verify the "
                   "delegates' keys again"};
}

}  // namespace

Result<std::shared_ptr<PinnedKeyVerifier>> PinnedKeyVerifier::open(std::filesystem::path pin_file,
                                                                   Callback on_new_key) {
  std::shared_ptr<PinnedKeyVerifier> v(new PinnedKeyVerifier(std::move(pin_file), std::move(on_new_key)));
  CARDINAL_ASSIGN_OR_RETURN(auto data, internal::read_file(v->path_, kMaxPinFile));
  if (!data) return v;  // no file yet: the first start
  auto doc = parse_json(std::string_view(reinterpret_cast<const char*>(data->data()), data->size()));  // NOLINT
  if (!doc.ok()) return corrupted_pin_file(v->path_, "not JSON");
  if (!doc->is_object() || !doc->contains("pins") || !(*doc)["pins"].is_object() || !doc->contains("version") ||
      !(*doc)["version"].is_number_integer()) {
    return corrupted_pin_file(v->path_, "not a pin file");
  }
  const auto version = (*doc)["version"].get<std::int64_t>();
  const Json& pins = (*doc)["pins"];
  // Version 2 carries a checksum (required). Version 1 files (written before it) have none; one
  // present anyway is checked, so that no single changed byte turns a version 2 file into an
  // unchecked one. A version 1 file is rewritten as version 2 by the next save.
  if (version != 1 && version != 2) return corrupted_pin_file(v->path_, "unknown version");
  const auto sum = doc->find("sha256");
  if (version == 2 && sum == doc->end()) return corrupted_pin_file(v->path_, "checksum missing");
  if (sum != doc->end() && (!sum->is_string() || sum->get<std::string>() != pins_checksum(pins))) {
    return corrupted_pin_file(v->path_, "checksum mismatch");
  }
  for (const auto& [owner, keys] : pins.items()) {
    if (owner.empty() || !keys.is_array()) return corrupted_pin_file(v->path_, "malformed entry");
    for (const auto& k : keys) {
      // A bare string: version 1, or a version 2 pin whose OAEP hash is not recorded yet.
      std::string spki;
      Pin hashes;
      if (k.is_string()) {
        spki = k.get<std::string>();
      } else if (version == 2 && k.is_object() && k.contains("spki") && k["spki"].is_string() && k.contains("oaep") &&
                 k["oaep"].is_array()) {
        spki = k["spki"].get<std::string>();
        for (const auto& h : k["oaep"]) {
          auto hash = parse_hash_name(h);
          if (!hash) return corrupted_pin_file(v->path_, "unknown OAEP hash for a pinned key of " + owner);
          hashes.insert(*hash);
        }
      } else {
        return corrupted_pin_file(v->path_, "malformed entry");
      }
      // Every pin must still be a public key (a version 1 file has no checksum to catch a flip).
      if (!crypto::RsaPublicKey::from_spki_hex(spki, crypto::RsaOaepHash::kSha256).ok()) {
        return corrupted_pin_file(v->path_, "a pinned key of " + owner + " is not a public key");
      }
      v->pins_[owner][spki].insert(hashes.begin(), hashes.end());
    }
  }
  return v;
}

Status PinnedKeyVerifier::save_locked() {
  Json pins = Json::object();
  for (const auto& [owner, keys] : pins_) {
    Json list = Json::array();
    for (const auto& [spki, hashes] : keys) {
      if (hashes.empty()) {
        list.push_back(spki);
        continue;
      }
      Json oaep = Json::array();
      for (auto h : hashes) oaep.push_back(hash_name(h));
      list.push_back(Json{{"spki", spki}, {"oaep", oaep}});
    }
    pins[owner] = std::move(list);
  }
  const std::string text = Json{{"version", 2}, {"pins", pins}, {"sha256", pins_checksum(pins)}}.dump();
  return internal::write_atomically(path_, as_bytes(text));
}

std::vector<PublishedKey> PinnedKeyVerifier::verify_keys(const std::string& owner,
                                                         const std::vector<PublishedKey>& keys) {
  std::lock_guard lock(mutex_);
  std::vector<PublishedKey> accepted;
  bool changed = false;
  auto& pins = pins_[owner];
  const bool had_pins = !pins.empty();
  for (const auto& k : keys) {
    auto it = pins.find(k.spki_hex);
    if (it != pins.end()) {
      if (it->second.empty()) {  // pinned by a version 1 file: bound to this hash now
        it->second.insert(k.hash);
        changed = true;
      }
      if (it->second.count(k.hash) != 0) {
        accepted.push_back(k);
        continue;
      }
    }
    auto code = verification_code(owner, k.spki_hex);
    if (!code.ok()) continue;  // not a valid key: never accepted
    const bool variant_changed = it != pins.end();
    KeyEvent event{owner, k.spki_hex, *code, had_pins, k.hash, variant_changed};
    Decision d = callback_ ? callback_(event) : (had_pins ? Decision::kReject : Decision::kAccept);
    if (d == Decision::kAccept) {
      pins[k.spki_hex].insert(k.hash);
      accepted.push_back(k);
      changed = true;
    }
  }
  if (changed) (void)save_locked();  // a failed save keeps the pins for this session only
  return accepted;
}

std::vector<std::string> PinnedKeyVerifier::verify(const std::string& owner, const std::vector<std::string>& keys) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> accepted;
  bool changed = false;
  auto& pins = pins_[owner];
  const bool had_pins = !pins.empty();
  for (const auto& k : keys) {
    if (pins.count(k) != 0) {
      accepted.push_back(k);
      continue;
    }
    auto code = verification_code(owner, k);
    if (!code.ok()) continue;  // not a valid key: never accepted
    KeyEvent event{owner, k, *code, had_pins, crypto::RsaOaepHash::kSha256, false};
    Decision d = callback_ ? callback_(event) : (had_pins ? Decision::kReject : Decision::kAccept);
    if (d == Decision::kAccept) {
      pins[k];  // hash not known here: bound at the next verify_keys
      accepted.push_back(k);
      changed = true;
    }
  }
  if (changed) (void)save_locked();
  return accepted;
}

Status PinnedKeyVerifier::pin(const std::string& owner, const std::string& spki_hex, crypto::RsaOaepHash hash) {
  CARDINAL_RETURN_IF_ERROR(crypto::RsaPublicKey::from_spki_hex(spki_hex, hash).status());
  std::lock_guard lock(mutex_);
  pins_[owner][spki_hex].insert(hash);
  return save_locked();
}

std::vector<std::string> PinnedKeyVerifier::pinned(const std::string& owner) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  auto it = pins_.find(owner);
  if (it == pins_.end()) return out;
  for (const auto& [spki, hashes] : it->second) out.push_back(spki);
  return out;
}

std::vector<crypto::RsaOaepHash> PinnedKeyVerifier::pinned_hashes(const std::string& owner,
                                                                   const std::string& spki_hex) const {
  std::lock_guard lock(mutex_);
  auto it = pins_.find(owner);
  if (it == pins_.end()) return {};
  auto k = it->second.find(spki_hex);
  if (k == it->second.end()) return {};
  return {k->second.begin(), k->second.end()};
}

}  // namespace cardinal::keys
