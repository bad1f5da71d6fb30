// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// What the SDK remembers of what the (untrusted) server served, to notice what it cannot verify
// cryptographically: the highest revision seen per record (rollbacks), the OAEP hash each
// verified key was verified for (keys moved between the OAEP lists, keys that disappear), and the
// OAEP hash of each entry of the exchange data this SDK created (records a delegate provably
// cannot open). Bounded (LRU), for the session, and optionally persisted in a small JSON file
// next to the key store. Thread-safe.

#include <cardinal/crypto/rsa.hpp>
#include <cardinal/result.hpp>

#include "engine/data_owner_keys.hpp"
#include "engine/exchange_data_manager.hpp"

#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace cardinal::api {

/// The generation N of a CouchDB revision "N-hash" (N a decimal ≥ 0); nullopt for any other form.
std::optional<std::uint64_t> revision_generation(std::string_view rev);

class TrustState final : public engine::KeyBindings, public engine::RecipientVariants {
 public:
  struct Options {
    /// Records remembered, each list an LRU of this size (entity revisions, data owner revisions,
  /// exchange data revisions, keys and exchange data hashes are separate lists).
    std::size_t capacity = 10000;
    /// Persisted here when set (read at open, written atomically with mode 0600).
    std::optional<std::filesystem::path> file;
  };

  /// Opens the state (reading `options.file` when it exists). Errors: kMalformedInput (the file
  /// is damaged: the message says how to start over), kIo.
  static Result<std::shared_ptr<TrustState>> open(Options options);
  ~TrustState() override;
  TrustState(const TrustState&) = delete;
  TrustState& operator=(const TrustState&) = delete;

  /// Records the revision of a record (`kind` names the kind: "DataOwner", "ExchangeData", an
  /// entity type…). Returns the highest generation seen before when `rev` is lower (a rollback);
  /// the remembered generation is never lowered. A record already seen with a numbered rev whose
  /// `rev` has no generation now (empty, garbled) counts as a rollback too.
  std::optional<std::uint64_t> observe_revision(std::string_view kind, const std::string& id, std::string_view rev);
  /// Remembers that `rev` of a record was found rolled back (for the entity's warnings).
  void mark_rolled_back(std::string_view kind, const std::string& id, std::string_view rev, std::uint64_t highest);
  /// The rollback warning of this exact (kind, id, rev), if it was served rolled back.
  std::optional<std::string> rollback_warning(std::string_view kind, const std::string& id, std::string_view rev);

  std::optional<crypto::RsaOaepHash> bound_hash(const std::string& owner, const std::string& spki_hex) override;
  void bind(const std::string& owner, const std::string& spki_hex, crypto::RsaOaepHash hash) override;
  /// Every key remembered as verified for `owner`, with its hash.
  std::map<std::string, crypto::RsaOaepHash> bound_keys(const std::string& owner);
  /// Forgets one remembered key of `owner`.
  void forget(const std::string& owner, const std::string& spki_hex);

  void record(const std::string& exchange_data_id, const std::map<std::string, crypto::RsaOaepHash>& by_fp2) override;
  std::optional<crypto::RsaOaepHash> variant(const std::string& exchange_data_id, const std::string& fp2) override;

  /// Writes the file now (no-op without a file or without changes). Errors: kIo.
  Status flush();

 private:
  template <typename V>
  struct Lru {
    std::list<std::pair<std::string, V>> items;  // front = most recent
    std::unordered_map<std::string, typename std::list<std::pair<std::string, V>>::iterator> index;
    V* find(const std::string& key);
    V& put(const std::string& key, V value, std::size_t capacity);
  };

  explicit TrustState(Options options) : options_(std::move(options)) {}
  Status load(const std::string& text);
  std::string dump_locked() const;
  void changed_locked(bool important);

  Options options_;
  std::mutex mutex_;
  // "kind:id" → generation, one LRU per class of record so that a flood of made-up records of
  // one class (e.g. exchange data in a list answer) cannot evict the history of another.
  Lru<std::uint64_t> revisions_;        // entities (ids the user asked for)
  Lru<std::uint64_t> owner_revisions_;  // "DataOwner"
  Lru<std::uint64_t> data_revisions_;   // "ExchangeData", "ExchangeDataMap"
  Lru<std::uint64_t>& revisions_of(std::string_view key);
  Lru<std::map<std::string, crypto::RsaOaepHash>> keys_;                // owner → spki → hash
  Lru<std::map<std::string, crypto::RsaOaepHash>> variants_;            // exchange data id → fp2 → hash
  std::map<std::string, std::pair<std::string, std::uint64_t>> rolled_back_;  // "kind:id" → (rev, highest)
  std::size_t unsaved_ = 0;
};

}  // namespace cardinal::api
