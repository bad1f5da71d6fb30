// --insecure-test-admin: raw record access (GET/PUT /devserver/admin/{table}/{id}, no checks, for
// tamper tests) and POST /devserver/admin/users (a user for an existing data owner).
#include "routes.hpp"
#include "util.hpp"

namespace devserver {

namespace {

const char* table_for(const std::string& name) {
  for (const char* t : {table::kUsers, table::kHcps, table::kPatients, table::kDevices, table::kExchangeData,
                        table::kExchangeDataMaps, table::kRecoveryData, table::kHealthElements, table::kDocuments,
                        table::kContacts}) {
    if (name == t) return t;
  }
  fail(404, "Unknown table " + name);
}

// {login, password, patientId | healthcarePartyId | deviceId, id?}: what the platform's invitation
// of a patient does.
Reply create_user(Db& db, const httplib::Request& req) {
  const json body = parse_object_body(req);
  const std::string login = require_string(body, "login");
  const std::string password = require_string(body, "password");
  if (login.empty() || password.empty()) fail(400, "login and password must not be empty");
  return db.transaction([&] {
    if (!db.find_by(table::kUsers, "$.login", login).empty()) fail(409, "A user with login " + login + " exists");
    const std::string user_id = optional_string(body, "id").value_or("user-" + login);
    if (!valid_entity_id(user_id)) fail(400, "Invalid user id");
    if (db.exists(table::kUsers, user_id)) fail(409, "A user with id " + user_id + " exists");
    json user = {{"id", user_id}, {"rev", next_rev(json::object())}, {"login", login},
                 {"passwordHash", password_hash(password)}};
    int owners = 0;
    for (const auto& k : kDataOwnerKinds) {
      const auto owner = optional_string(body, k.user_field);
      if (!owner) continue;
      ++owners;
      if (!db.exists(k.table, *owner)) fail(404, std::string("No data owner ") + *owner + " for " + k.user_field);
      user[k.user_field] = *owner;
    }
    if (owners != 1) fail(400, "Exactly one of patientId, healthcarePartyId, deviceId is required");
    db.insert(table::kUsers, user_id, user);
    json out = user;
    out.erase("passwordHash");
    return json_reply(out);
  });
}

}  // namespace

void register_admin_routes(Context& ctx) {
  if (!ctx.options.insecure_test_admin) return;
  Db* db = &ctx.db;
  ctx.http.Get(R"(/devserver/admin/([a-z_]+)/([^/]+))", ctx.open([db](const httplib::Request& req) {
    return db->transaction([&] {
      auto doc = db->get(table_for(req.matches[1].str()), req.matches[2].str());
      if (!doc) fail(404, "No such record");
      return json_reply(*doc);
    });
  }));
  ctx.http.Post("/devserver/admin/users", ctx.open([db](const httplib::Request& req) { return create_user(*db, req); }));
  ctx.http.Put(R"(/devserver/admin/([a-z_]+)/([^/]+))", ctx.open([db](const httplib::Request& req) {
    const json doc = parse_object_body(req);
    return db->transaction([&] {
      db->put(table_for(req.matches[1].str()), req.matches[2].str(), doc);
      return json_reply(doc);
    });
  }));
}

}  // namespace devserver
