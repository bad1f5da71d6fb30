// The write rules of encryptable entities (HealthElement, Patient, Document, Contact): create,
// modify, soft delete, undelete, purge and bulk share, over the store. Each throws HttpError
// (nothing written) when refused. Call inside Db::transaction().
#pragma once

#include <optional>
#include <string>

#include "db.hpp"
#include "rules.hpp"

namespace devserver {

// The stored entity (with its new rev). 400 malformed, 403 no write access for the creator, 409 id taken.
json create_entity(Db& db, const EntityKind& k, json entity, const Caller& c);
// The stored entity. 400 no rev / changed security metadata, 403, 404, 409 stale rev.
json modify_entity(Db& db, const EntityKind& k, json entity, const Caller& c);
// Soft delete (deletionDate); `rev` checked when given. {id, rev}.
json delete_entity(Db& db, const EntityKind& k, const std::string& id, const std::optional<std::string>& rev,
                   const Caller& c);
// Clears deletionDate; `rev` is required (400) and must be current (409).
json undelete_entity(Db& db, const EntityKind& k, const std::string& id, const std::optional<std::string>& rev,
                     const Caller& c);
// Removes the record (and a Document's attachment); `rev` required and current. {id, rev}.
json purge_entity(Db& db, const EntityKind& k, const std::string& id, const std::optional<std::string>& rev,
                  const Caller& c);
// PUT …/bulkSharedMetadataUpdate[Minimal] (backend-semantics.md §2.7): the EntityBulkShareResult list.
json bulk_share(Db& db, const EntityKind& k, const json& body, const Caller& c, bool minimal);

}  // namespace devserver
