// POST /rest/v2/<e>/match: resolves an AbstractFilter (JSON with `$type`) to entity ids over the
// match indexes, as the backend does (kraken-common filters): only entities found under the
// caller's search keys, sorted as the backend sorts them, each id once. Call inside
// Db::transaction(). HttpError 400 for an unknown `$type` (the message names it and lists the
// supported ones) or a malformed filter, 403 for a filter naming a data owner outside the
// caller's hierarchy.
#pragma once

#include <string>
#include <vector>

#include "db.hpp"
#include "rules.hpp"

namespace devserver {

std::vector<std::string> match_ids(Db& db, const EntityKind& k, const json& filter, const Caller& c);

// Services, the entries of Contacts: matched with match_ids(db, kServiceKind, …) (their filters
// read the contacts table and the services index), fetched by service_routes.cpp.
inline constexpr EntityKind kServiceKind{"contact/service", table::kContacts, "Service", false};

}  // namespace devserver
