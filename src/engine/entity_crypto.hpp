// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Security metadata of encryptable entities: opening the delegations the user can read,
// creating the root delegation of a new entity, and building bulk-share requests.

#include <cardinal/content/provenance.hpp>
#include <cardinal/crypto/aes.hpp>
#include <cardinal/json.hpp>
#include <cardinal/model/crypto_model.hpp>

#include "engine/exchange_data_manager.hpp"
#include "model/secure_delegation_view.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cardinal::engine {

/// One distinct entity key, with where it came from (cardinal::Provenance: only exchange data we
/// or our hierarchy created can be authenticated).
struct AccessibleKey {
  crypto::AesKey key;
  Provenance provenance = Provenance::kUnverified;  ///< the best of its sources
  /// "exchange data <id> (delegator <id>)" for each delegation that delivered it (claimed ids).
  std::set<std::string> sources;
  /// Secret and owning-entity ids of the delegations that delivered this key.
  std::set<std::string> secret_ids;
  std::set<std::string> owning_entity_ids;
};

/// What the current user could open of an entity's security metadata.
struct EntityAccess {
  std::vector<AccessibleKey> keys;  ///< de-duplicated, in delegation order
  std::set<std::string> secret_ids;                 ///< from every opened delegation
  std::set<std::string> verified_secret_ids;        ///< from verified delegations only
  std::set<std::string> owning_entity_ids;          ///< from every opened delegation
  std::set<std::string> verified_owning_entity_ids; ///< from verified delegations only
  std::set<std::string> opened_delegations;  ///< keys of the delegations we could open
  bool any_verified = false;                 ///< at least one delegation came through verified exchange data
  bool can_write = false;
  /// Unverified delegations that carried ids but no entity key (their ids cannot be tied to the
  /// content), as "exchange data <id> (delegator <id>)".
  std::set<std::string> keyless_sources;

  /// Every key, for decrypting existing content.
  [[nodiscard]] std::vector<const crypto::AesKey*> key_pointers() const {
    std::vector<const crypto::AesKey*> out;
    for (const auto& k : keys) out.push_back(&k.key);
    return out;
  }
  /// Keys of verified provenance only: the only ones new content may be encrypted under.
  [[nodiscard]] std::vector<const crypto::AesKey*> verified_keys() const {
    std::vector<const crypto::AesKey*> out;
    for (const auto& k : keys) {
      if (k.provenance == Provenance::kVerified) out.push_back(&k.key);
    }
    return out;
  }
  /// What to pass on when sharing: the verified keys and ids when there are any, else (an entity
  /// that reached us only from others) everything we hold.
  [[nodiscard]] std::vector<const crypto::AesKey*> keys_to_share() const {
    return any_verified ? verified_keys() : key_pointers();
  }
  [[nodiscard]] const std::set<std::string>& secret_ids_to_share() const {
    return any_verified ? verified_secret_ids : secret_ids;
  }
  [[nodiscard]] const std::set<std::string>& owning_ids_to_share() const {
    return any_verified ? verified_owning_entity_ids : owning_entity_ids;
  }
  /// Description of where the unverified keys came from (for messages).
  [[nodiscard]] std::string unverified_sources() const;
};

/// What a share request does.
enum class ShareRequestKind {
  kNew,      ///< a first delegation to the delegate
  kUpgrade,  ///< a WRITE delegation to a delegate that had READ only
  kUpdate,   ///< adds missing values to the delegate's existing delegation
};

struct ShareTarget {
  std::string delegate_id;
  bool delegate_anonymous = false;
  AccessLevel level = AccessLevel::kRead;
  bool share_entity_key = true;
  bool share_secret_ids = true;
  bool share_owning_entity_ids = true;
};

/// A delegation of a new entity to a delegate, child of the entity's root delegation.
struct InitialDelegation {
  std::string key;  ///< its secure delegation key
  Json delegation;  ///< the stored form (`securityMetadata.secureDelegations[key]`)
  /// When one side of the delegation is anonymous: its access control key (hex) and the exchange
  /// data id encrypted for the explicit side's keys (fingerprint v2 → base64), which an exchange
  /// data map must hold (`PUT /exchangedatamap/batch`) for the explicit side to find the exchange
  /// data. Empty otherwise.
  std::string map_access_control_key;
  std::map<std::string, std::string> encrypted_exchange_data_id;
};

class EntityCrypto {
 public:
  /// `hierarchy_ids`: the current data owner and its parents. `self_anonymous`: the current user
  /// hides its id in delegations (patients by default).
  EntityCrypto(ExchangeDataManager& exchange_data, std::set<std::string> hierarchy_ids, bool self_anonymous,
               TamperListener on_tamper);

  /// Opens every delegation of `entity` that the user can reach. Delegations that fail checks are
  /// reported and skipped. Errors: kKeyNotAvailable when none opens; kMalformedInput.
  Result<EntityAccess> open(const Json& entity, std::string_view entity_type);

  /// Root security metadata for a new entity: a WRITE delegation to self holding the entity key, a
  /// fresh secret id and the owning entity ids. Returns the `securityMetadata` object.
  Result<Json> root_metadata(std::string_view entity_type, const crypto::AesKey& entity_key,
                             const std::string& secret_id, const std::vector<std::string>& owning_entity_ids);

  /// The delegation of a new entity to `target` (the official SDK's initial delegations to the
  /// `delegates` of a new entity): the entity key, `secret_id` and owning entity ids, encrypted
  /// with the exchange key of verified exchange data self → delegate (created if needed, for our
  /// verified keys and `delegate_keys` only), under the root delegation `root_key`, at
  /// `target.level`. Errors: kNoVerifiedKey, exchange data errors.
  Result<InitialDelegation> initial_delegation(std::string_view entity_type, const crypto::AesKey& entity_key,
                                               const std::string& secret_id,
                                               const std::vector<std::string>& owning_entity_ids,
                                               const std::string& root_key, const ShareTarget& target,
                                               const std::vector<crypto::RsaPublicKey>& delegate_keys);

  /// The request of a bulk share for one delegate (`{"share": …}` or `{"update": …}`), or null when
  /// the delegate already has everything at this level or higher. `delegate_keys`: the delegate's
  /// verified keys. A READ delegation to the delegate is not changed by a WRITE share (the
  /// platform cannot change permissions): a new WRITE delegation is requested under other
  /// exchange data self → delegate (created if needed). `kind`, when not null, receives what the
  /// request does (unchanged when null is returned).
  Result<Json> share_request(const Json& entity, std::string_view entity_type, const EntityAccess& access,
                             const ShareTarget& target, const std::vector<crypto::RsaPublicKey>& delegate_keys,
                             ShareRequestKind* kind = nullptr);

  /// The access control keys (16 bytes each) of every cached exchange data for `entity_type`
  /// (the `Icure-Access-Control-Keys` header of anonymous users).
  std::vector<SecretBytes> access_control_keys(std::string_view entity_type) const;

 private:
  Result<OpenedExchangeData> exchange_data_for(const std::string& key, const model::SecureDelegationView& d,
                                               std::string_view entity_type);
  bool in_hierarchy(const std::optional<std::string_view>& id) const { return id && hierarchy_.count(*id) != 0; }
  /// What an entity's delegations through one exchange data share, per entity type.
  struct Derived {
    /// The key a delegation of the type sits under when it uses the exchange data (SHA-256 of the
    /// access control key; nullopt: no key for that type).
    std::optional<std::string> key;
    std::string source;  ///< "exchange data <id> (delegator <id>)", for AccessibleKey::sources
  };
  /// Derived once per exchange data and type, then cached.
  std::shared_ptr<const Derived> derived_of(const OpenedExchangeData& x, std::string_view entity_type) const;
  /// `derived_of(x, entity_type)->key`.
  std::optional<std::string> delegation_key_of(const OpenedExchangeData& x, std::string_view entity_type) const;
  /// For a delegation with one anonymous side: the id of `opened` encrypted for the explicit side's
  /// keys (ours when we are explicit, else the delegate's keys the record is encrypted for).
  Result<std::map<std::string, std::string>> encrypted_exchange_data_id(const OpenedExchangeData& opened,
                                                                       const std::vector<crypto::RsaPublicKey>& delegate_keys) const;
  void report(std::string_view kind, const std::string& id, Error error) const;

  ExchangeDataManager& exchange_data_;
  std::set<std::string, std::less<>> hierarchy_;
  bool self_anonymous_;
  TamperListener on_tamper_;

  // Derived delegation keys, by exchange data (weakly held: an entry of a dropped exchange data is
  // recomputed, never reused for another one at the same address) and entity type.
  struct DerivedEntry {
    std::weak_ptr<const DecryptedExchangeData> source;
    std::shared_ptr<const Derived> derived;
  };
  mutable std::mutex derived_mutex_;
  mutable std::map<std::pair<const DecryptedExchangeData*, std::string>, DerivedEntry, std::less<>> derived_;
};

}  // namespace cardinal::engine
