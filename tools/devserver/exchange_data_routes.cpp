// /rest/v2/exchangedata/… (create, bulk create, modify, by id, by participant, by pair, counterparts) and
// /rest/v2/exchangedatamap/batch.
#include <algorithm>
#include <cctype>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include "routes.hpp"
#include "sharing.hpp"
#include "store.hpp"
#include "util.hpp"

namespace devserver {

namespace {

constexpr std::size_t kDefaultPageSize = 1000;

bool participates(const json& xd, const Caller& c) {
  return c.in_hierarchy(string_field(xd, "delegator")) || c.in_hierarchy(string_field(xd, "delegate"));
}

void validate_exchange_data(const json& xd) {
  require_string(xd, "id");
  require_string(xd, "delegator");
  require_string(xd, "delegate");
  require_string_map(xd, "exchangeKey", true);
  require_string_map(xd, "accessControlSecret", true);
  require_string_map(xd, "sharedSignatureKey", true);
  require_string(xd, "sharedSignature");
  const auto ds = xd.find("delegatorSignature");
  if (ds != xd.end() && !ds->is_null()) require_string_map(xd, "delegatorSignature", false);
}

Reply create_exchange_data(Db& db, const httplib::Request& req, const Caller& c) {
  require_data_owner(c);
  json xd = parse_object_body(req);
  validate_exchange_data(xd);
  if (xd.contains("rev") && !xd["rev"].is_null()) fail(400, "A new exchange data must not have a rev");
  const std::string id = xd["id"].get<std::string>();
  if (!valid_entity_id(id)) fail(400, "Invalid id");
  if (!c.in_hierarchy(xd["delegator"].get<std::string>())) fail(403, "The delegator must be the current data owner");
  if (db.exists(table::kExchangeData, id)) fail(409, "Exchange data " + id + " already exists");
  xd["rev"] = next_rev(json::object());
  db.insert(table::kExchangeData, id, xd);
  return json_reply(xd);
}

// kraken-common's POST /rest/v2/exchangedata/bulk: a body that is not an array of well-formed
// exchange data is refused whole (400, nothing stored); of the well-formed ones, those that cannot
// be created (a rev, an invalid or existing id, another delegator) are left out of the answer, as
// the platform filters errors out. The answer: {id, rev} of each record created, in order.
Reply create_exchange_data_bulk(Db& db, const httplib::Request& req, const Caller& c) {
  require_data_owner(c);
  const json body = parse_json_body(req);
  if (!body.is_array()) fail(400, "The body must be an array of exchange data");
  for (const auto& xd : body) {
    if (!xd.is_object()) fail(400, "Each exchange data must be an object");
    validate_exchange_data(xd);
  }
  json out = json::array();
  for (json xd : body) {
    if (xd.contains("rev") && !xd["rev"].is_null()) continue;
    const std::string id = xd["id"].get<std::string>();
    if (!valid_entity_id(id) || !c.in_hierarchy(xd["delegator"].get<std::string>())) continue;
    if (db.exists(table::kExchangeData, id)) continue;
    xd["rev"] = next_rev(json::object());
    db.insert(table::kExchangeData, id, xd);
    out.push_back(json{{"id", id}, {"rev", xd["rev"]}});
  }
  return json_reply(out);
}

Reply modify_exchange_data(Db& db, const httplib::Request& req, const Caller& c) {
  json xd = parse_object_body(req);
  validate_exchange_data(xd);
  const std::string id = xd["id"].get<std::string>();
  auto stored = db.get(table::kExchangeData, id);
  if (!stored) fail(404, "No exchange data with id " + id);
  if (!participates(*stored, c)) fail(403, "Not a participant of this exchange data");
  if (optional_string(xd, "rev").value_or("") != rev_of(*stored)) fail(409, "Outdated revision");
  if (xd["delegator"] != (*stored)["delegator"] || xd["delegate"] != (*stored)["delegate"]) {
    fail(400, "delegator and delegate of exchange data cannot change");
  }
  xd["rev"] = next_rev(*stored);
  db.put(table::kExchangeData, id, xd);
  return json_reply(xd);
}

Reply by_participant(Db& db, const httplib::Request& req, const Caller& c, const std::string& owner) {
  if (!c.in_hierarchy(owner)) fail(403, "Only the data owner (or its hierarchy) may list its exchange data");
  std::size_t limit = kDefaultPageSize;
  const std::string limit_param = query_param(req, "limit");
  if (!limit_param.empty()) {
    try {
      const long long l = std::stoll(limit_param);
      if (l <= 0 || l > 10000) fail(400, "limit out of range");
      limit = static_cast<std::size_t>(l);
    } catch (const std::logic_error&) {
      fail(400, "limit must be an integer");
    }
  }
  auto rows = db.exchange_data_of(owner, query_param(req, "startDocumentId"), limit + 1);
  json out = json::object();
  if (rows.size() > limit) {
    out["nextKeyPair"] = json{{"startKey", owner}, {"startKeyDocId", string_field(rows.back(), "id")}};
    rows.pop_back();
  }
  out["rows"] = rows;
  return json_reply(out);
}

Reply by_pair(Db& db, const Caller& c, const std::string& delegator, const std::string& delegate) {
  if (!c.in_hierarchy(delegator) && !c.in_hierarchy(delegate)) fail(403, "Not a participant");
  json out = json::array();
  for (auto& xd : db.find_by(table::kExchangeData, "$.delegator", delegator)) {
    if (string_field(xd, "delegate") == delegate && !xd.contains("deletionDate")) out.push_back(std::move(xd));
  }
  return json_reply(out);
}

std::set<std::string> counterpart_types(const httplib::Request& req) {
  std::set<std::string> types;
  std::stringstream ss(query_param(req, "counterpartsTypes"));
  std::string t;
  while (std::getline(ss, t, ',')) {
    std::transform(t.begin(), t.end(), t.begin(),
                   [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); });
    if (t != "hcp" && t != "patient" && t != "device") fail(400, "counterpartsTypes holds HCP, PATIENT or DEVICE");
    types.insert(t);
  }
  if (types.empty()) fail(400, "counterpartsTypes is required");
  return types;
}

// Whether `xd` has an entry for fingerprint `fp` in each of its three key maps.
bool has_entry_everywhere(const json& xd, const std::string& fp) {
  for (const char* f : {"exchangeKey", "accessControlSecret", "sharedSignatureKey"}) {
    const auto m = xd.find(f);
    if (m == xd.end() || !m->is_object() || !m->contains(fp)) return false;
  }
  return true;
}

Reply counterparts(Db& db, const httplib::Request& req, const Caller& c, const std::string& owner) {
  if (!c.in_hierarchy(owner)) fail(403, "Only the data owner (or its hierarchy) may list its counterparts");
  const std::set<std::string> types = counterpart_types(req);
  const std::string fp = query_param(req, "ignoreOnEntryForFingerprint");
  std::set<std::string> out;
  for (const auto& xd : db.exchange_data_of(owner, "", std::numeric_limits<std::size_t>::max() / 2)) {
    if (!fp.empty() && has_entry_everywhere(xd, fp)) continue;
    for (const char* f : {"delegator", "delegate"}) {
      const std::string other = string_field(xd, f);
      if (other == owner || other.empty() || other.find('/') != std::string::npos) continue;
      const auto d = load_data_owner(db, other);
      if (d && types.count(d->kind->type) != 0) out.insert(other);
    }
  }
  return json_reply(json(std::vector<std::string>(out.begin(), out.end())));
}

void register_exchange_data(Context& ctx) {
  auto& http = ctx.http;
  Db* db = &ctx.db;
  http.Post("/rest/v2/exchangedata", ctx.authed([db](const httplib::Request& req, Caller& c) {
    return create_exchange_data(*db, req, c);
  }));
  http.Post("/rest/v2/exchangedata/bulk", ctx.authed([db](const httplib::Request& req, Caller& c) {
    return create_exchange_data_bulk(*db, req, c);
  }));
  http.Put("/rest/v2/exchangedata", ctx.authed([db](const httplib::Request& req, Caller& c) {
    return modify_exchange_data(*db, req, c);
  }));
  http.Post("/rest/v2/exchangedata/byIds", ctx.authed([db](const httplib::Request& req, Caller& c) {
    json out = json::array();
    for (const auto& id : list_of_ids(req)) {
      auto xd = db->get(table::kExchangeData, id);
      if (xd && participates(*xd, c)) out.push_back(std::move(*xd));
    }
    return json_reply(out);
  }));
  http.Get("/rest/v2/exchangedata/byParticipant/counterparts", ctx.authed([db](const httplib::Request& req, Caller& c) {
    return counterparts(*db, req, c, query_param(req, "dataOwnerId"));
  }));
  http.Get(R"(/rest/v2/exchangedata/byParticipant/([^/]+)/counterparts)",
           ctx.authed([db](const httplib::Request& req, Caller& c) { return counterparts(*db, req, c, req.matches[1].str()); }));
  http.Get("/rest/v2/exchangedata/byParticipant", ctx.authed([db](const httplib::Request& req, Caller& c) {
    return by_participant(*db, req, c, query_param(req, "dataOwnerId"));
  }));
  http.Get(R"(/rest/v2/exchangedata/byParticipant/([^/]+))", ctx.authed([db](const httplib::Request& req, Caller& c) {
    return by_participant(*db, req, c, req.matches[1].str());
  }));
  http.Get("/rest/v2/exchangedata/byDelegatorDelegate", ctx.authed([db](const httplib::Request& req, Caller& c) {
    return by_pair(*db, c, query_param(req, "delegatorId"), query_param(req, "delegateId"));
  }));
  http.Get(R"(/rest/v2/exchangedata/byDelegatorDelegate/([^/]+)/([^/]+))",
           ctx.authed([db](const httplib::Request& req, Caller& c) {
             return by_pair(*db, c, req.matches[1].str(), req.matches[2].str());
           }));
  http.Get(R"(/rest/v2/exchangedata/([^/]+))", ctx.authed([db](const httplib::Request& req, Caller& c) {
    auto xd = db->get(table::kExchangeData, req.matches[1].str());
    if (!xd) fail(404, "No exchange data with id " + req.matches[1].str());
    if (!participates(*xd, c)) fail(403, "Not a participant of this exchange data");
    return json_reply(*xd);
  }));
}

// PUT body {batch: {ACK hex: {fp: b64}}}: create or extend (never overwrite) the maps.
Reply put_maps(Db& db, const httplib::Request& req, const Caller& c) {
  require_data_owner(c);
  const json body = parse_object_body(req);
  check_keys(body, {"batch"}, "ExchangeDataMapCreationBatch");
  const auto batch = body.find("batch");
  if (batch == body.end() || !batch->is_object()) fail(400, "batch must be an object");
  std::vector<std::pair<std::string, json>> todo;
  for (const auto& [ack_hex, entries] : batch->items()) {
    const auto ack = hex_decode(ack_hex);
    if (!ack || ack->size() != 16) fail(400, "batch keys are 16-byte access control keys in hex");
    if (!entries.is_object() || entries.empty()) fail(400, "Each map entry must be a non-empty object");
    for (const auto& entry : entries) {
      if (!entry.is_string()) fail(400, "Encrypted exchange data ids must be strings");
    }
    todo.emplace_back(sha256_hex(*ack), entries);
  }
  for (const auto& [id, entries] : todo) merge_exchange_data_map(db, id, entries);
  return Reply{200, "ok", "text/plain"};
}

void register_maps(Context& ctx) {
  Db* db = &ctx.db;
  ctx.http.Put("/rest/v2/exchangedatamap/batch",
               ctx.authed([db](const httplib::Request& req, Caller& c) { return put_maps(*db, req, c); }));
  ctx.http.Post("/rest/v2/exchangedatamap/batch", ctx.authed([db](const httplib::Request& req, Caller& c) {
    require_data_owner(c);
    json out = json::array();
    for (const auto& id : list_of_ids(req)) {
      if (auto m = db->get(table::kExchangeDataMaps, id)) out.push_back(std::move(*m));
    }
    return json_reply(out);
  }));
}

}  // namespace

void register_exchange_data_routes(Context& ctx) {
  register_exchange_data(ctx);
  register_maps(ctx);
}

}  // namespace devserver
