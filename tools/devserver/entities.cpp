#include "entities.hpp"

#include <utility>
#include <vector>

#include "sharing.hpp"
#include "store.hpp"
#include "util.hpp"

namespace devserver {

namespace {

// Security metadata as the backend's model sees it: absent collections are empty (clients that
// omit default values, like the official SDK, or add them, send the same metadata).
json normalized_metadata(const json& sm) {
  if (!sm.is_object()) return sm;
  json out = sm;
  if (!out.contains("keysEquivalences") || out["keysEquivalences"].is_null()) out["keysEquivalences"] = json::object();
  auto sd = out.find("secureDelegations");
  if (sd == out.end() || sd->is_null()) {
    out["secureDelegations"] = json::object();
  } else if (sd->is_object()) {
    for (auto& [key, d] : sd->items()) {
      if (!d.is_object()) continue;
      for (const char* f : {"secretIds", "encryptionKeys", "owningEntityIds", "parentDelegations"}) {
        if (!d.contains(f) || d[f].is_null()) d[f] = json::array();
      }
      for (auto it = d.begin(); it != d.end();) it = it->is_null() ? d.erase(it) : std::next(it);
    }
  }
  return out;
}

json member_or_null(const json& obj, const char* field) {
  const auto it = obj.find(field);
  return it == obj.end() ? json() : *it;
}

void check_metadata_change(const EntityKind& k, const json& entity, const json& stored, const Caller& c) {
  if (normalized_metadata(member_or_null(entity, "securityMetadata")) ==
      normalized_metadata(member_or_null(stored, "securityMetadata"))) {
    return;
  }
  // Only an entity without security metadata (e.g. a seeded patient initialising its own) may get
  // its first metadata through a modify; existing metadata changes only through bulk share.
  if (!secure_delegations_of(stored).empty()) {
    fail(400, "Impossible to modify directly security metadata: use share methods instead");
  }
  validate_security_metadata(entity);
  if (!access_to(entity, c, k.is_patient).write) fail(403, "The new security metadata must keep write access for the caller");
}

void require_current_rev(const json& stored, const std::optional<std::string>& rev) {
  if (!rev) fail(400, "rev is required");
  if (*rev != rev_of(stored)) fail(409, "Outdated revision");
}

}  // namespace

json create_entity(Db& db, const EntityKind& k, json entity, const Caller& c) {
  if (!entity.is_object()) fail(400, "Expected a JSON object");
  const std::string id = require_string(entity, "id");
  if (!valid_entity_id(id)) fail(400, "Invalid id");
  if (entity.contains("rev") && !entity["rev"].is_null()) fail(400, "A new entity must not have a rev");
  validate_security_metadata(entity);
  // The creator must be able to write what it creates (no entities planted in someone else's name).
  if (!access_to(entity, c, k.is_patient).write) {
    fail(403, "The new entity must give its creator write access (a WRITE delegation naming the creator, or an access control key)");
  }
  if (db.exists(k.table, id) || (k.is_patient && load_data_owner(db, id))) {
    fail(409, "An entity with id " + id + " already exists");
  }
  entity["rev"] = next_rev(json::object());
  db.insert(k.table, id, entity);
  return entity;
}

json modify_entity(Db& db, const EntityKind& k, json entity, const Caller& c) {
  if (!entity.is_object()) fail(400, "Expected a JSON object");
  const std::string id = require_string(entity, "id");
  const auto rev = optional_string(entity, "rev");
  if (!rev) fail(400, "A modified entity needs its rev");
  auto stored = load_writable(db, k, id, c);
  if (*rev != rev_of(stored.doc)) fail(409, "Outdated revision");
  check_metadata_change(k, entity, stored.doc, c);
  if (k.is_patient && !(!c.hierarchy.empty() && c.hierarchy.front() == id)) {
    for (const char* f : kCryptoActorFields) {
      if (member_or_null(entity, f) != member_or_null(stored.doc, f)) {
        fail(400, std::string("Only the patient may change its crypto field ") + f);
      }
    }
  }
  if (std::string(k.path) == "document") {
    // Attachment fields are managed by the attachment endpoints.
    for (const char* f : {"attachmentId", "size", "mainUti", "otherUtis"}) {
      const auto y = stored.doc.find(f);
      if (y != stored.doc.end()) {
        entity[f] = *y;
      } else {
        entity.erase(f);
      }
    }
  }
  entity["rev"] = next_rev(stored.doc);
  db.put(k.table, id, entity);
  return entity;
}

json delete_entity(Db& db, const EntityKind& k, const std::string& id, const std::optional<std::string>& rev,
                   const Caller& c) {
  auto stored = load_writable(db, k, id, c);
  if (rev && *rev != rev_of(stored.doc)) fail(409, "Outdated revision");
  stored.doc["deletionDate"] = now_ms();
  stored.doc["rev"] = next_rev(stored.doc);
  db.put(k.table, id, stored.doc);
  return json{{"id", id}, {"rev", stored.doc["rev"]}};
}

json undelete_entity(Db& db, const EntityKind& k, const std::string& id, const std::optional<std::string>& rev,
                     const Caller& c) {
  auto e = load_writable(db, k, id, c);
  require_current_rev(e.doc, rev);
  e.doc.erase("deletionDate");
  e.doc["rev"] = next_rev(e.doc);
  db.put(k.table, id, e.doc);
  return e.doc;
}

json purge_entity(Db& db, const EntityKind& k, const std::string& id, const std::optional<std::string>& rev,
                  const Caller& c) {
  auto e = load_writable(db, k, id, c);
  require_current_rev(e.doc, rev);
  // Not in kraken-common: the devserver keeps the patient a user logs in as (its data owner).
  if (k.is_patient && !db.find_by(table::kUsers, "$.patientId", id).empty()) {
    fail(400, "A patient that is a user's data owner cannot be purged");
  }
  const std::string attachment = string_field(e.doc, "attachmentId");
  if (!attachment.empty()) db.drop_attachment(attachment);  // the file goes once this commits
  db.remove(k.table, id);
  return json{{"id", id}, {"rev", rev_of(e.doc)}};
}

json bulk_share(Db& db, const EntityKind& k, const json& body, const Caller& c, bool minimal) {
  require_data_owner(c);
  check_keys(body, {"requestsByEntityId"}, "BulkShareOrUpdateMetadataParams");
  const auto by_entity = body.find("requestsByEntityId");
  if (by_entity == body.end() || !by_entity->is_object()) fail(400, "requestsByEntityId must be an object");
  // Validate everything first: a malformed request fails the whole call before any write.
  std::vector<std::pair<std::string, std::vector<ShareRequest>>> parsed;
  for (const auto& [entity_id, reqs] : by_entity->items()) parsed.emplace_back(entity_id, parse_share_requests(reqs));

  json results = json::array();
  for (auto& [entity_id, requests] : parsed) {
    json result = {{"entityId", entity_id}};
    auto stored = db.get(k.table, entity_id);
    const Access access = stored ? access_to(*stored, c, k.is_patient) : Access{};
    if (!stored || !access.read) {
      // Unknown and inaccessible entities look the same.
      json rejected = json::object();
      for (const auto& r : requests) rejected[r.request_id] = rejection(404, "There is no entity with id " + entity_id);
      result["rejectedRequests"] = rejected;
      results.push_back(result);
      continue;
    }
    json entity = *stored;
    result["entityRev"] = rev_of(entity);
    const ShareOutcome outcome = apply_share_requests(entity, requests, (*by_entity)[entity_id], access, c);
    if (outcome.applied) {
      validate_security_metadata(entity);
      entity["rev"] = next_rev(entity);
      db.put(k.table, entity_id, entity);
      for (const auto& [key, entries] : outcome.maps_to_merge) merge_exchange_data_map(db, key, entries);
      if (!minimal) result["updatedEntity"] = entity;
    }
    result["rejectedRequests"] = outcome.rejected;
    results.push_back(result);
  }
  return results;
}

}  // namespace devserver
