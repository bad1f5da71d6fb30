// Record look-ups shared by several resources, over the one store (Db): data owners, users by
// login, entities with the caller's access, exchange data maps. Call inside Db::transaction().
#pragma once

#include <optional>
#include <string>

#include "db.hpp"
#include "rules.hpp"

namespace devserver {

struct LoadedDataOwner {
  const DataOwnerKind* kind;
  json doc;
};

// A non-deleted data owner (patient, then HCP, then device, as the backend looks them up).
std::optional<LoadedDataOwner> load_data_owner(Db& db, const std::string& id);
std::optional<json> user_by_login(Db& db, const std::string& login);

struct LoadedEntity {
  json doc;
  Access access;
};

// 404 if missing, 403 if the caller cannot read it.
LoadedEntity load_readable(Db& db, const EntityKind& k, const std::string& id, const Caller& c);
// As load_readable, and 403 without write access.
LoadedEntity load_writable(Db& db, const EntityKind& k, const std::string& id, const Caller& c);

// Merges {fp: b64} entries into the exchange data map `id` (add-only: existing entries never change).
void merge_exchange_data_map(Db& db, const std::string& id, const json& entries);

}  // namespace devserver
