// /rest/v2/recoverydata: create, get (and waiting/{id}), delete by id, delete all for a recipient.
#include "routes.hpp"
#include "util.hpp"

namespace devserver {

namespace {

Reply create_recovery_data(Db& db, const httplib::Request& req, const Caller& c) {
  require_data_owner(c);
  json rd = parse_object_body(req);
  const std::string id = require_string(rd, "id");
  require_string(rd, "recipient");
  require_string(rd, "encryptedSelf");
  const std::string type = require_string(rd, "type");
  if (type != "KEYPAIR_RECOVERY" && type != "EXCHANGE_KEY_RECOVERY") fail(400, "Unknown recovery data type");
  const auto exp = rd.find("expirationInstant");
  if (exp != rd.end() && !exp->is_null()) {
    if (!exp->is_number_integer() || exp->get<std::int64_t>() <= now_ms()) fail(400, "expirationInstant must be in the future");
  }
  if (rd.contains("rev") && !rd["rev"].is_null()) fail(400, "New recovery data must not have a rev");
  if (!valid_entity_id(id)) fail(400, "Invalid id");
  if (db.exists(table::kRecoveryData, id)) fail(409, "Recovery data " + id + " already exists");
  rd["rev"] = next_rev(json::object());
  db.insert(table::kRecoveryData, id, rd);
  return json_reply(rd);
}

Reply get_recovery_data(Db& db, const httplib::Request& req, const Caller& c) {
  require_data_owner(c);
  const std::string id = req.matches[1].str();
  auto rd = db.get(table::kRecoveryData, id);
  if (!rd) fail(404, "No recovery data with id " + id);
  const auto exp = rd->find("expirationInstant");
  if (exp != rd->end() && exp->is_number_integer() && exp->get<std::int64_t>() <= now_ms()) {
    db.remove(table::kRecoveryData, id);  // expired: gone, and the removal is committed
    return Reply{404, error_body("No recovery data with id " + id).dump(), "application/json"};
  }
  return json_reply(*rd);
}

Reply delete_for_recipient(Db& db, const httplib::Request& req, const Caller& c) {
  const std::string recipient = req.matches[1].str();
  if (!c.in_hierarchy(recipient)) fail(403, "Only the recipient may delete all its recovery data");
  const std::string type = req.matches.size() > 2 ? req.matches[2].str() : std::string();
  std::int64_t count = 0;
  for (const auto& rd : db.find_by(table::kRecoveryData, "$.recipient", recipient)) {
    if (!type.empty() && string_field(rd, "type") != type) continue;
    db.remove(table::kRecoveryData, string_field(rd, "id"));
    ++count;
  }
  return json_reply(json{{"numberValue", count}});
}

}  // namespace

void register_recovery_routes(Context& ctx) {
  auto& http = ctx.http;
  Db* db = &ctx.db;
  http.Post("/rest/v2/recoverydata",
            ctx.authed([db](const httplib::Request& req, Caller& c) { return create_recovery_data(*db, req, c); }));
  const auto get = ctx.authed([db](const httplib::Request& req, Caller& c) { return get_recovery_data(*db, req, c); });
  http.Get(R"(/rest/v2/recoverydata/waiting/([^/]+))", get);
  http.Get(R"(/rest/v2/recoverydata/([^/]+))", get);
  const auto for_recipient =
      ctx.authed([db](const httplib::Request& req, Caller& c) { return delete_for_recipient(*db, req, c); });
  http.Delete(R"(/rest/v2/recoverydata/forRecipient/([^/]+)/ofType/([^/]+))", for_recipient);
  http.Delete(R"(/rest/v2/recoverydata/forRecipient/([^/]+))", for_recipient);
  http.Delete(R"(/rest/v2/recoverydata/([^/]+))", ctx.authed([db](const httplib::Request& req, Caller& c) {
    require_data_owner(c);
    const std::string id = req.matches[1].str();
    auto rd = db->get(table::kRecoveryData, id);
    if (!rd) fail(404, "No recovery data with id " + id);
    db->remove(table::kRecoveryData, id);
    return json_reply(json{{"id", id}, {"rev", rev_of(*rd)}});
  }));
}

}  // namespace devserver
