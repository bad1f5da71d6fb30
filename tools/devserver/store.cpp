#include "store.hpp"

#include <utility>

namespace devserver {

std::optional<LoadedDataOwner> load_data_owner(Db& db, const std::string& id) {
  for (const auto& k : kDataOwnerKinds) {
    auto doc = db.get(k.table, id);
    if (doc) {
      if (doc->contains("deletionDate") && !(*doc)["deletionDate"].is_null()) return std::nullopt;
      return LoadedDataOwner{&k, std::move(*doc)};
    }
  }
  return std::nullopt;
}

std::optional<json> user_by_login(Db& db, const std::string& login) {
  auto users = db.find_by(table::kUsers, "$.login", login);
  if (users.empty()) return std::nullopt;
  return users.front();
}

LoadedEntity load_readable(Db& db, const EntityKind& k, const std::string& id, const Caller& c) {
  auto doc = db.get(k.table, id);
  if (!doc) fail(404, std::string("No ") + k.type_name + " with id " + id);
  Access a = access_to(*doc, c, k.is_patient);
  if (!a.read) fail(403, std::string("No access to ") + k.type_name + " " + id);
  return {std::move(*doc), std::move(a)};
}

LoadedEntity load_writable(Db& db, const EntityKind& k, const std::string& id, const Caller& c) {
  auto e = load_readable(db, k, id, c);
  if (!e.access.write) fail(403, std::string("No write access to ") + k.type_name + " " + id);
  return e;
}

void merge_exchange_data_map(Db& db, const std::string& id, const json& entries) {
  auto existing = db.get(table::kExchangeDataMaps, id);
  if (!existing) {
    json doc = {{"id", id}, {"rev", next_rev(json::object())}, {"encryptedExchangeDataIds", entries}};
    db.insert(table::kExchangeDataMaps, id, doc);
    return;
  }
  json& ids = (*existing)["encryptedExchangeDataIds"];
  if (!ids.is_object()) ids = json::object();
  bool changed = false;
  for (const auto& [fp, value] : entries.items()) {
    if (!ids.contains(fp)) {
      ids[fp] = value;
      changed = true;
    }
  }
  if (changed) {
    (*existing)["rev"] = next_rev(*existing);
    db.put(table::kExchangeDataMaps, id, *existing);
  }
}

}  // namespace devserver
