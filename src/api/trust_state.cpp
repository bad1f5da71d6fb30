// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/trust_state.hpp"

#include <cardinal/json.hpp>

#include "common/files.hpp"
#include "common/revision.hpp"

namespace cardinal::api {

namespace {

constexpr std::size_t kMaxFile = 16 * 1024 * 1024;
constexpr std::size_t kSaveEvery = 64;        // revision changes between two writes
constexpr std::size_t kMaxRollbackNotes = 1024;

std::string record_key(std::string_view kind, const std::string& id) {
  std::string k(kind);
  k += ':';
  k += id;
  return k;
}

const char* hash_name(crypto::RsaOaepHash h) { return h == crypto::RsaOaepHash::kSha1 ? "sha-1" : "sha-256"; }

std::optional<crypto::RsaOaepHash> parse_hash(const Json& j) {
  if (!j.is_string()) return std::nullopt;
  const auto& s = j.get_ref<const std::string&>();
  if (s == "sha-1") return crypto::RsaOaepHash::kSha1;
  if (s == "sha-256") return crypto::RsaOaepHash::kSha256;
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> revision_generation(std::string_view rev) { return internal::revision_generation(rev); }

TrustState::Lru<std::uint64_t>& TrustState::revisions_of(std::string_view key) {
  if (key.starts_with("DataOwner:")) return owner_revisions_;
  if (key.starts_with("ExchangeData:") || key.starts_with("ExchangeDataMap:")) return data_revisions_;
  return revisions_;
}

template <typename V>
V* TrustState::Lru<V>::find(const std::string& key) {
  auto it = index.find(key);
  if (it == index.end()) return nullptr;
  items.splice(items.begin(), items, it->second);
  return &it->second->second;
}

template <typename V>
V& TrustState::Lru<V>::put(const std::string& key, V value, std::size_t capacity) {
  if (V* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  items.emplace_front(key, std::move(value));
  index[key] = items.begin();
  while (items.size() > capacity) {
    index.erase(items.back().first);
    items.pop_back();
  }
  return items.front().second;
}

Result<std::shared_ptr<TrustState>> TrustState::open(Options options) {
  if (options.capacity == 0) options.capacity = 1;
  std::shared_ptr<TrustState> state(new TrustState(std::move(options)));
  if (!state->options_.file) return state;
  CARDINAL_ASSIGN_OR_RETURN(auto data, internal::read_file(*state->options_.file, kMaxFile));
  if (!data) return state;
  CARDINAL_RETURN_IF_ERROR(
      state->load(std::string(reinterpret_cast<const char*>(data->data()), data->size())));  // NOLINT
  return state;
}

TrustState::~TrustState() { (void)flush(); }

Status TrustState::load(const std::string& text) {
  const Error malformed{ErrorCode::kMalformedInput,
                        "trust state file " + options_.file->string() +
                            " is malformed (damaged or edited). Deleting it starts over: rollbacks and keys moved "
                            "between OAEP lists are then only noticed from this point on"};
  auto doc = parse_json(text);
  if (!doc.ok() || !doc->is_object()) return malformed;
  if (auto v = doc->find("version"); v == doc->end() || !v->is_number_integer() || v->get<std::int64_t>() != 1) {
    return malformed;
  }
  const Json& d = *doc;
  // Written most recent first; inserted oldest first so that the LRU order is kept.
  if (d.contains("revisions")) {
    const Json& revs = d["revisions"];
    if (!revs.is_array()) return malformed;
    for (auto it = revs.rbegin(); it != revs.rend(); ++it) {
      if (!it->is_array() || it->size() != 2 || !(*it)[0].is_string() || !(*it)[1].is_number_unsigned())
        return malformed;
      const std::string key = (*it)[0].get<std::string>();
      revisions_of(key).put(key, (*it)[1].get<std::uint64_t>(), options_.capacity);
    }
  }
  for (const char* section : {"keys", "exchangeData"}) {
    if (!d.contains(section)) continue;
    const Json& list = d[section];
    if (!list.is_array()) return malformed;
    auto& lru = std::string_view(section) == "keys" ? keys_ : variants_;
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      if (!it->is_array() || it->size() != 2 || !(*it)[0].is_string() || !(*it)[1].is_object()) return malformed;
      std::map<std::string, crypto::RsaOaepHash> entries;
      for (const auto& [k, v] : (*it)[1].items()) {
        auto h = parse_hash(v);
        if (!h) return malformed;
        entries.emplace(k, *h);
      }
      lru.put((*it)[0].get<std::string>(), std::move(entries), options_.capacity);
    }
  }
  return {};
}

std::string TrustState::dump_locked() const {
  Json revs = Json::array();
  for (const auto* lru : {&revisions_, &owner_revisions_, &data_revisions_}) {
    for (const auto& [k, n] : lru->items) revs.push_back(Json::array({k, n}));
  }
  auto maps = [](const auto& lru) {
    Json out = Json::array();
    for (const auto& [k, m] : lru.items) {
      Json entries = Json::object();
      for (const auto& [fp, h] : m) entries[fp] = hash_name(h);
      out.push_back(Json::array({k, entries}));
    }
    return out;
  };
  return Json{{"version", 1}, {"revisions", revs}, {"keys", maps(keys_)}, {"exchangeData", maps(variants_)}}.dump();
}

void TrustState::changed_locked(bool important) {
  if (!options_.file) return;
  ++unsaved_;
  if (!important && unsaved_ < kSaveEvery) return;
  // A failed write keeps the state for this session; the next change or flush tries again.
  if (internal::write_atomically(*options_.file, as_bytes(dump_locked())).ok()) unsaved_ = 0;
}

Status TrustState::flush() {
  std::lock_guard lock(mutex_);
  if (!options_.file || unsaved_ == 0) return {};
  CARDINAL_RETURN_IF_ERROR(internal::write_atomically(*options_.file, as_bytes(dump_locked())));
  unsaved_ = 0;
  return {};
}

std::optional<std::uint64_t> TrustState::observe_revision(std::string_view kind, const std::string& id,
                                                          std::string_view rev) {
  if (id.empty()) return std::nullopt;
  const auto n = revision_generation(rev);
  const std::string key = record_key(kind, id);
  std::lock_guard lock(mutex_);
  auto& revisions = revisions_of(key);
  if (std::uint64_t* seen = revisions.find(key)) {
    // The server always numbers its revisions: a record seen with a numbered rev that comes back
    // without one (absent, garbled, another type) cannot be told newer, so it counts as older.
    if (!n || *n < *seen) return *seen;
    if (*n == *seen) return std::nullopt;
    *seen = *n;
  } else {
    if (!n) return std::nullopt;  // never seen numbered: nothing to compare with
    revisions.put(key, *n, options_.capacity);
  }
  changed_locked(false);
  return std::nullopt;
}

void TrustState::mark_rolled_back(std::string_view kind, const std::string& id, std::string_view rev,
                                  std::uint64_t highest) {
  std::lock_guard lock(mutex_);
  if (rolled_back_.size() >= kMaxRollbackNotes) rolled_back_.clear();
  rolled_back_[record_key(kind, id)] = {std::string(rev), highest};
}

std::optional<std::string> TrustState::rollback_warning(std::string_view kind, const std::string& id,
                                                        std::string_view rev) {
  std::lock_guard lock(mutex_);
  auto it = rolled_back_.find(record_key(kind, id));
  if (it == rolled_back_.end() || it->second.first != rev) return std::nullopt;
  return "the server returned revision " + std::string(rev) + " of " + id + " after revision generation " +
         std::to_string(it->second.second) + " was seen: an older version (rollback); newer changes are missing";
}

std::optional<crypto::RsaOaepHash> TrustState::bound_hash(const std::string& owner, const std::string& spki_hex) {
  std::lock_guard lock(mutex_);
  auto* keys = keys_.find(owner);
  if (keys == nullptr) return std::nullopt;
  auto it = keys->find(spki_hex);
  if (it == keys->end()) return std::nullopt;
  return it->second;
}

void TrustState::bind(const std::string& owner, const std::string& spki_hex, crypto::RsaOaepHash hash) {
  std::lock_guard lock(mutex_);
  auto* keys = keys_.find(owner);
  if (keys == nullptr) keys = &keys_.put(owner, {}, options_.capacity);
  if (!keys->emplace(spki_hex, hash).second) return;  // already bound (possibly to another hash: kept)
  changed_locked(true);
}

std::map<std::string, crypto::RsaOaepHash> TrustState::bound_keys(const std::string& owner) {
  std::lock_guard lock(mutex_);
  auto* keys = keys_.find(owner);
  return keys == nullptr ? std::map<std::string, crypto::RsaOaepHash>{} : *keys;
}

void TrustState::forget(const std::string& owner, const std::string& spki_hex) {
  std::lock_guard lock(mutex_);
  auto* keys = keys_.find(owner);
  if (keys == nullptr || keys->erase(spki_hex) == 0) return;
  changed_locked(true);
}

void TrustState::record(const std::string& exchange_data_id,
                        const std::map<std::string, crypto::RsaOaepHash>& by_fp2) {
  std::lock_guard lock(mutex_);
  variants_.put(exchange_data_id, by_fp2, options_.capacity);
  changed_locked(true);
}

std::optional<crypto::RsaOaepHash> TrustState::variant(const std::string& exchange_data_id, const std::string& fp2) {
  std::lock_guard lock(mutex_);
  auto* m = variants_.find(exchange_data_id);
  if (m == nullptr) return std::nullopt;
  auto it = m->find(fp2);
  if (it == m->end()) return std::nullopt;
  return it->second;
}

}  // namespace cardinal::api
