// /rest/v2/dataowner/… (current, hierarchy, stubs, by id), /rest/v2/hcparty/…, /rest/v2/device/{id}.
#include "routes.hpp"
#include "store.hpp"

namespace devserver {

namespace {

// Full data owners: HCPs and devices are public; a patient only to those with access to it.
bool can_see_full(const LoadedDataOwner& d, const Caller& c) {
  if (std::string(d.kind->type) != "patient") return true;
  return access_to(d.doc, c, true).read;
}

json with_type(const LoadedDataOwner& d) { return json{{"type", d.kind->type}, {"dataOwner", d.doc}}; }
json stub_with_type(const LoadedDataOwner& d) { return json{{"type", d.kind->type}, {"stub", stub_of(d.doc)}}; }

LoadedDataOwner current_data_owner(Db& db, const Caller& c) {
  if (c.data_owner_id.empty()) fail(404, "The current user is not a data owner");
  auto d = load_data_owner(db, c.data_owner_id);
  if (!d) fail(404, "The current data owner does not exist");
  return std::move(*d);
}

json hierarchy_json(Db& db, const Caller& c, bool stubs) {
  json out = json::array();
  if (c.data_owner_id.empty()) fail(404, "The current user is not a data owner");
  for (const auto& id : c.hierarchy) {
    auto d = load_data_owner(db, id);
    if (!d) fail(422, "Missing data owner in the hierarchy");
    out.push_back(stubs ? stub_with_type(*d) : with_type(*d));
  }
  return out;
}

void validate_stub_fields(const json& st) {
  const auto pk = st.find("publicKeysForOaepWithSha256");
  if (pk != st.end() && !pk->is_null()) string_array(st, "publicKeysForOaepWithSha256");
  for (const char* f : {"hcPartyKeys", "aesExchangeKeys", "transferKeys", "privateKeyShamirPartitions"}) {
    const auto it = st.find(f);
    if (it != st.end() && !it->is_null() && !it->is_object()) fail(400, std::string(f) + " must be an object");
  }
  const auto pub = st.find("publicKey");
  if (pub != st.end() && !pub->is_null() && !pub->is_string()) fail(400, "publicKey must be a string");
}

Reply modify_stub(Db& db, const httplib::Request& req, const Caller& c) {
  const json body = parse_object_body(req);
  const std::string type = require_string(body, "type");
  const DataOwnerKind* kind = kind_for_type(type);
  if (kind == nullptr) fail(400, "type must be hcp, patient or device");
  const auto st = body.find("stub");
  if (st == body.end() || !st->is_object()) fail(400, "stub must be an object");
  const std::string id = require_string(*st, "id");
  auto stored = db.get(kind->table, id);
  if (!stored) fail(404, "No " + type + " with id " + id);
  if (!c.in_hierarchy(id) || c.hierarchy.front() != id) fail(403, "Only a data owner may modify its own stub");
  if (optional_string(*st, "rev").value_or("") != rev_of(*stored)) fail(409, "Outdated revision");
  if (string_field(*st, "parentId") != string_field(*stored, "parentId")) fail(400, "parentId cannot be changed");
  validate_stub_fields(*st);
  for (const char* f : kCryptoActorFields) {
    const auto it = st->find(f);
    if (it != st->end() && !it->is_null()) {
      (*stored)[f] = *it;
    } else {
      stored->erase(f);
    }
  }
  (*stored)["rev"] = next_rev(*stored);
  db.put(kind->table, id, *stored);
  return json_reply(json{{"type", type}, {"stub", stub_of(*stored)}});
}

void register_current(Context& ctx) {
  auto& http = ctx.http;
  Db* db = &ctx.db;
  http.Get("/rest/v2/dataowner/current", ctx.authed([db](const httplib::Request&, Caller& c) {
    return json_reply(with_type(current_data_owner(*db, c)));
  }));
  http.Get("/rest/v2/dataowner/current/stub", ctx.authed([db](const httplib::Request&, Caller& c) {
    return json_reply(stub_with_type(current_data_owner(*db, c)));
  }));
  http.Get("/rest/v2/dataowner/current/hierarchy", ctx.authed([db](const httplib::Request&, Caller& c) {
    return json_reply(hierarchy_json(*db, c, false));
  }));
  http.Get("/rest/v2/dataowner/current/hierarchy/stub", ctx.authed([db](const httplib::Request&, Caller& c) {
    return json_reply(hierarchy_json(*db, c, true));
  }));
}

void register_by_id(Context& ctx) {
  auto& http = ctx.http;
  Db* db = &ctx.db;
  http.Put("/rest/v2/dataowner/stub",
           ctx.authed([db](const httplib::Request& req, Caller& c) { return modify_stub(*db, req, c); }));
  http.Post("/rest/v2/dataowner/stub/byIds", ctx.authed([db](const httplib::Request& req, Caller&) {
    json out = json::array();
    for (const auto& id : list_of_ids(req)) {
      if (auto d = load_data_owner(*db, id)) out.push_back(stub_with_type(*d));
    }
    return json_reply(out);
  }));
  http.Get(R"(/rest/v2/dataowner/stub/([^/]+))", ctx.authed([db](const httplib::Request& req, Caller&) {
    auto d = load_data_owner(*db, req.matches[1].str());
    if (!d) fail(404, "No data owner with id " + req.matches[1].str());
    return json_reply(stub_with_type(*d));
  }));
  http.Post("/rest/v2/dataowner/byIds", ctx.authed([db](const httplib::Request& req, Caller& c) {
    json out = json::array();
    for (const auto& id : list_of_ids(req)) {
      auto d = load_data_owner(*db, id);
      if (d && can_see_full(*d, c)) out.push_back(with_type(*d));
    }
    return json_reply(out);
  }));
  http.Get(R"(/rest/v2/dataowner/([^/]+))", ctx.authed([db](const httplib::Request& req, Caller& c) {
    auto d = load_data_owner(*db, req.matches[1].str());
    if (!d) fail(404, "No data owner with id " + req.matches[1].str());
    if (!can_see_full(*d, c)) fail(403, "No access to this data owner");
    return json_reply(with_type(*d));
  }));
}

void register_typed(Context& ctx) {
  auto& http = ctx.http;
  Db* db = &ctx.db;
  http.Get("/rest/v2/hcparty/current", ctx.authed([db](const httplib::Request&, Caller& c) {
    if (c.data_owner_type != "hcp") fail(400, "The current user is not a healthcare party");
    return json_reply(current_data_owner(*db, c).doc);
  }));
  http.Post("/rest/v2/hcparty/byIds", ctx.authed([db](const httplib::Request& req, Caller&) {
    json out = json::array();
    for (const auto& id : list_of_ids(req)) {
      if (auto d = db->get(table::kHcps, id)) out.push_back(std::move(*d));
    }
    return json_reply(out);
  }));
  http.Get(R"(/rest/v2/hcparty/([^/]+))", ctx.authed([db](const httplib::Request& req, Caller&) {
    auto d = db->get(table::kHcps, req.matches[1].str());
    if (!d) fail(404, "No healthcare party with id " + req.matches[1].str());
    return json_reply(*d);
  }));
  http.Get(R"(/rest/v2/device/([^/]+))", ctx.authed([db](const httplib::Request& req, Caller&) {
    auto d = db->get(table::kDevices, req.matches[1].str());
    if (!d) fail(404, "No device with id " + req.matches[1].str());
    return json_reply(*d);
  }));
}

}  // namespace

void register_data_owner_routes(Context& ctx) {
  register_current(ctx);
  register_by_id(ctx);
  register_typed(ctx);
}

}  // namespace devserver
