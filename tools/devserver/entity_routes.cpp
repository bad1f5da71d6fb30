// /rest/v2/<e> for every encryptable entity kind (helement, patient, document, contact): create,
// get, modify, delete, undelete, purge, their batch forms, byIds, match and bulk share.
#include "entities.hpp"
#include "filters.hpp"
#include "routes.hpp"
#include "store.hpp"

namespace devserver {

namespace {

std::optional<std::string> rev_param(const httplib::Request& req) {
  if (!req.has_param("rev")) return std::nullopt;
  return req.get_param_value("rev");
}

const json& array_body(const json& body) {
  if (!body.is_array()) fail(400, "Expected a JSON array");
  for (const auto& e : body) {
    if (!e.is_object()) fail(400, "Expected an array of objects");
  }
  return body;
}

// Batch create / modify: items refused for access or conflicts are left out of the answer (as the
// backend does); malformed input (400) rejects the whole batch.
template <class F>
json each_skipping_refused(const json& items, F&& f) {
  json out = json::array();
  for (const auto& e : items) {
    try {
      out.push_back(f(e));
    } catch (const HttpError& err) {
      if (err.status == 400) throw;
    }
  }
  return out;
}

struct IdAndRev {
  std::string id;
  std::optional<std::string> rev;
};

// ListOfIdsAndRev: {"ids": [{"id", "rev"?}, …]}; anything else is 400 for the whole call.
std::vector<IdAndRev> ids_and_revs(const httplib::Request& req) {
  const json body = parse_object_body(req);
  const auto ids = body.find("ids");
  if (ids == body.end() || !ids->is_array()) fail(400, "ids must be an array of {id, rev} objects");
  std::vector<IdAndRev> out;
  for (const auto& item : *ids) {
    if (!item.is_object()) fail(400, "ids must hold {id, rev} objects");
    out.push_back({require_string(item, "id"), optional_string(item, "rev")});
  }
  return out;
}

// Applies `f` to each item; items refused (access, missing, stale or absent rev) are left out of
// the answer, as the backend's batch calls do.
template <class F>
json each_id_skipping_refused(const std::vector<IdAndRev>& items, F&& f) {
  json out = json::array();
  for (const auto& item : items) {
    try {
      out.push_back(f(item));
    } catch (const HttpError&) {
    }
  }
  return out;
}

// The IdWithRev of each stored entity (Patient's `/batch/minimal` answers).
json ids_with_revs(const json& entities) {
  json out = json::array();
  for (const auto& e : entities) out.push_back(json{{"id", e.at("id")}, {"rev", e.at("rev")}});
  return out;
}

// POST (create) and PUT (modify) `path`, answering the entities (`full`) or their IdWithRev.
void register_batch(Context& ctx, const std::string& path, const EntityKind* kp, bool full) {
  Db* db = &ctx.db;
  ctx.http.Post(path, ctx.authed([db, kp, full](const httplib::Request& req, Caller& c) {
    require_data_owner(c);
    const json body = parse_json_body(req);
    json stored = each_skipping_refused(array_body(body), [&](const json& e) { return create_entity(*db, *kp, e, c); });
    return json_reply(full ? stored : ids_with_revs(stored));
  }));
  ctx.http.Put(path, ctx.authed([db, kp, full](const httplib::Request& req, Caller& c) {
    const json body = parse_json_body(req);
    json stored = each_skipping_refused(array_body(body), [&](const json& e) { return modify_entity(*db, *kp, e, c); });
    return json_reply(full ? stored : ids_with_revs(stored));
  }));
}

void register_writes(Context& ctx, const std::string& base, const EntityKind* kp) {
  auto& http = ctx.http;
  Db* db = &ctx.db;
  http.Post(base, ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    require_data_owner(c);
    return json_reply(create_entity(*db, *kp, parse_object_body(req), c));
  }));
  http.Put(base, ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(modify_entity(*db, *kp, parse_object_body(req), c));
  }));
  if (kp->is_patient) {
    // kraken-common's PatientController: `/batch` (deprecated) and `/batch/minimal` answer
    // IdWithRev items, `/batch/full` the entities.
    register_batch(ctx, base + "/batch", kp, false);
    register_batch(ctx, base + "/batch/minimal", kp, false);
    register_batch(ctx, base + "/batch/full", kp, true);
  } else {
    register_batch(ctx, base + "/batch", kp, true);
  }
}

void register_reads_and_deletes(Context& ctx, const std::string& base, const EntityKind* kp) {
  auto& http = ctx.http;
  Db* db = &ctx.db;
  http.Post(base + "/byIds", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    json out = json::array();
    for (const auto& id : list_of_ids(req, false)) {
      auto doc = db->get(kp->table, id);
      if (doc && access_to(*doc, c, kp->is_patient).read) out.push_back(std::move(*doc));
    }
    return json_reply(out);
  }));
  http.Post(base + "/delete/batch", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    json out = json::array();
    for (const auto& id : list_of_ids(req)) {
      try {
        out.push_back(delete_entity(*db, *kp, id, std::nullopt, c));
      } catch (const HttpError&) {
      }
    }
    return json_reply(out);
  }));
  http.Post(base + "/delete/batch/withrev", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(each_id_skipping_refused(ids_and_revs(req), [&](const IdAndRev& i) {
      return delete_entity(*db, *kp, i.id, i.rev, c);
    }));
  }));
  http.Post(base + "/undelete/batch", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(each_id_skipping_refused(ids_and_revs(req), [&](const IdAndRev& i) {
      return undelete_entity(*db, *kp, i.id, i.rev, c);
    }));
  }));
  http.Post(base + "/purge/batch", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(each_id_skipping_refused(ids_and_revs(req), [&](const IdAndRev& i) {
      return purge_entity(*db, *kp, i.id, i.rev, c);
    }));
  }));
  // The ids of the entities matching an AbstractFilter (filters.hpp).
  http.Post(base + "/match", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(json(match_ids(*db, *kp, parse_object_body(req), c)));
  }));
}

void register_share_and_lifecycle(Context& ctx, const std::string& base, const EntityKind* kp) {
  auto& http = ctx.http;
  Db* db = &ctx.db;
  http.Put(base + "/bulkSharedMetadataUpdate", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(bulk_share(*db, *kp, parse_object_body(req), c, false));
  }));
  http.Put(base + "/bulkSharedMetadataUpdateMinimal", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(bulk_share(*db, *kp, parse_object_body(req), c, true));
  }));
  http.Post(base + "/undelete/([^/]+)", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(undelete_entity(*db, *kp, req.matches[1].str(), rev_param(req), c));
  }));
  http.Delete(base + "/purge/([^/]+)", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(purge_entity(*db, *kp, req.matches[1].str(), rev_param(req), c));
  }));
}

void register_by_id(Context& ctx, const std::string& base, const EntityKind* kp) {
  Db* db = &ctx.db;
  ctx.http.Get(base + "/([^/]+)", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(load_readable(*db, *kp, req.matches[1].str(), c).doc);
  }));
  ctx.http.Delete(base + "/([^/]+)", ctx.authed([db, kp](const httplib::Request& req, Caller& c) {
    return json_reply(delete_entity(*db, *kp, req.matches[1].str(), rev_param(req), c));
  }));
}

}  // namespace

void register_entity_routes(Context& ctx) {
  for (const auto& k : kEntityKinds) {
    const std::string base = std::string("/rest/v2/") + k.path;
    register_writes(ctx, base, &k);
    register_reads_and_deletes(ctx, base, &k);
    register_share_and_lifecycle(ctx, base, &k);
    register_by_id(ctx, base, &k);
  }
}

}  // namespace devserver
