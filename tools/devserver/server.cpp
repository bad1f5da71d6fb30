#include "server.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include <httplib.h>

#include "db.hpp"
#include "rules.hpp"
#include "sharing.hpp"
#include "util.hpp"

namespace devserver {

namespace {

constexpr const char* kGroupId = "devserver";
constexpr std::int64_t kAccessTokenSeconds = 3600;
constexpr std::int64_t kRefreshTokenSeconds = 30 * 24 * 3600;
constexpr int kPasswordAuthClass = 20;
constexpr std::size_t kMaxHierarchyDepth = 5;
constexpr std::size_t kDefaultPageSize = 1000;

// ---------------------------------------------------------------------------------------------
// Replies

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

Reply json_reply(const json& j, int status = 200) { return Reply{status, j.dump(), "application/json"}; }

json error_body(const std::string& message) { return json{{"message", message}}; }

// ---------------------------------------------------------------------------------------------
// JSON helpers for validating request bodies (wrong types are 400, never a crash)

constexpr std::size_t kMaxJsonDepth = 64;

json parse_json_body(const httplib::Request& req) {
  // Bounded nesting, checked before any tree is built: serialising or comparing a hostile
  // 100000-deep document would recurse that deep.
  if (!json_depth_within(req.body, kMaxJsonDepth)) {
    fail(400, "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded()) fail(400, "Malformed JSON body");
  return j;
}

json parse_object_body(const httplib::Request& req) {
  json j = parse_json_body(req);
  if (!j.is_object()) fail(400, "Expected a JSON object");
  return j;
}

std::vector<std::string> list_of_ids(const httplib::Request& req, bool allow_empty = true) {
  const json body = parse_object_body(req);
  auto ids = string_array(body, "ids", true);
  if (!allow_empty && ids.empty()) fail(400, "ids must not be empty");
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (auto& id : ids) {
    if (seen.insert(id).second) unique.push_back(std::move(id));
  }
  return unique;
}

// Merges {fp: b64} entries into the exchange data map `id` (add-only: existing entries never change).
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

std::string query_param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

}  // namespace

// =============================================================================================

struct Server::Impl {
  explicit Impl(Options o) : options(std::move(o)), db(options.db_path) {}

  Options options;
  Db db;
  httplib::Server http;
  std::string jwt_secret;
  socket_t listen_socket = INVALID_SOCKET;

  using Handler = std::function<Reply(const httplib::Request&, Caller&)>;
  using PublicHandler = std::function<Reply(const httplib::Request&)>;

  // ------------------------------------------------------------------ setup

  void init() {
    db.transaction([&] {
      auto secret = db.meta("jwt_secret");
      if (!secret) {
        secret = random_hex(32);
        db.set_meta("jwt_secret", *secret);
      }
      jwt_secret = *secret;
    });
    if (!options.seed_path.empty()) load_seed();
    configure_http();
    register_routes();
  }

  void load_seed() {
    std::ifstream in(options.seed_path);
    if (!in) throw std::runtime_error("cannot read seed file " + options.seed_path);
    std::stringstream text;
    text << in.rdbuf();
    if (!json_depth_within(text.str(), kMaxJsonDepth)) throw std::runtime_error("seed file nested too deeply");
    json seed = json::parse(text.str(), nullptr, false);
    if (seed.is_discarded() || !seed.is_object()) throw std::runtime_error("seed file is not a JSON object");
    const auto users = seed.find("users");
    if (users == seed.end() || !users->is_array()) throw std::runtime_error("seed file needs a 'users' array");
    try {
      db.transaction([&] {
        for (const auto& u : *users) {
          if (!u.is_object()) fail(400, "each seed user must be an object");
          const std::string login = require_string(u, "login");
          const std::string password = require_string(u, "password");
          if (!db.find_by(table::kUsers, "$.login", login).empty()) continue;  // already seeded
          const std::string user_id = optional_string(u, "id").value_or("user-" + login);
          json user = {{"id", user_id}, {"rev", next_rev(json::object())}, {"login", login},
                       {"passwordHash", password_hash(password)}};
          if (auto name = optional_string(u, "name")) user["name"] = *name;
          const auto dox = u.find("dataOwner");
          if (dox != u.end() && !dox->is_null()) {
            if (!dox->is_object()) fail(400, "dataOwner must be an object");
            const std::string type = require_string(*dox, "type");
            const DataOwnerKind* kind = kind_for_type(type);
            if (kind == nullptr) fail(400, "dataOwner.type must be hcp, patient or device");
            const std::string id = require_string(*dox, "id");
            if (!valid_entity_id(id)) fail(400, "invalid data owner id " + id);
            if (!db.exists(kind->table, id)) {
              json doc = *dox;
              doc.erase("type");
              doc["rev"] = next_rev(json::object());
              db.insert(kind->table, id, doc);
            }
            user[kind->user_field] = id;
          }
          db.insert(table::kUsers, user_id, user);
        }
      });
    } catch (const HttpError& e) {
      throw std::runtime_error(std::string("invalid seed: ") + e.what());
    }
  }

  // The attachment upload route: its body is raw bytes, bounded by max_attachment_bytes (streamed
  // through a content reader); every other body is JSON, bounded by max_body_bytes.
  static bool is_attachment_upload(const httplib::Request& req) {
    static const std::regex kAttachment(R"(^/rest/v2/document/[^/]+/attachment$)");
    return req.method == "PUT" && std::regex_match(req.path, kAttachment);
  }

  static constexpr std::size_t kMaxDiscardedBytes = 64u * 1024u * 1024u;

  static std::string too_large_message(std::size_t limit, const char* flag) {
    return "Request body too large: the limit is " + std::to_string(limit) + " bytes (" + flag + ")";
  }

  // A JSON body over the limit (it was read because the transport limit is the larger attachment
  // limit) is refused before it is parsed.
  void check_body_size(const httplib::Request& req) const {
    if (req.body.size() > options.max_body_bytes) fail(413, too_large_message(options.max_body_bytes, "--max-body-bytes"));
  }

  void configure_http() {
    // cpp-httplib checks Content-Length against this before reading; the per-route limits below
    // apply the smaller JSON limit.
    http.set_payload_max_length(std::max(options.max_body_bytes, options.max_attachment_bytes));
    // cpp-httplib applies no limit to chunked bodies: JSON routes refuse them before reading
    // (clients send JSON with a Content-Length); the attachment route streams them with a bound.
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (is_attachment_upload(req)) return httplib::Server::HandlerResponse::Unhandled;
      const bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
      if (!chunked) return httplib::Server::HandlerResponse::Unhandled;
      res.status = 411;
      res.set_header("Connection", "close");
      res.set_content(error_body("Chunked request bodies are refused: send the JSON body with a Content-Length "
                                 "(at most " + std::to_string(options.max_body_bytes) + " bytes, --max-body-bytes)")
                          .dump(),
                      "application/json");
      return httplib::Server::HandlerResponse::Handled;
    });
    http.new_task_queue = [] { return new httplib::ThreadPool(64); };
    http.set_keep_alive_max_count(1000);
    // Idle keep-alive connections hold a worker until this timeout, and stop() waits for them:
    // keep it short so SIGTERM ends the server promptly.
    http.set_keep_alive_timeout(2);
    http.set_tcp_nodelay(true);
    // Remember the listening socket: cpp-httplib listens with a backlog of 5, too small for a burst of
    // concurrent connects (dropped handshakes then stall past the keep-alive timeout); bind() raises it.
    http.set_socket_options([this](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      listen_socket = sock;
    });
    http.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        std::string msg = res.status == 413 ? "Request body too large: the limits are " +
                                                  std::to_string(options.max_body_bytes) +
                                                  " bytes for JSON (--max-body-bytes) and " +
                                                  std::to_string(options.max_attachment_bytes) +
                                                  " bytes for attachments (--max-attachment-bytes)"
                          : res.status == 404 ? "Not found"
                                              : "Request failed";
        res.set_content(error_body(msg).dump(), "application/json");
      }
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      res.status = 500;
      res.set_content(error_body("Internal server error").dump(), "application/json");
    });
    if (options.log_requests) {
      http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        // One write per line so that concurrent requests do not interleave.
        const std::string line = req.method + ' ' + req.path + ' ' + std::to_string(res.status) + '\n';
        std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
        std::cerr.flush();
      });
    }
  }

  // ------------------------------------------------------------------ request plumbing

  template <class F>
  void respond(httplib::Response& res, F&& f) {
    Reply r;
    try {
      r = f();
    } catch (const HttpError& e) {
      r = json_reply(error_body(e.what()), e.status);
    } catch (const json::exception&) {
      r = json_reply(error_body("Malformed request"), 400);
    } catch (const std::exception& e) {
      std::cerr << "internal error: " << e.what() << '\n';
      r = json_reply(error_body("Internal server error"), 500);
    }
    res.status = r.status;
    res.set_content(r.body, r.content_type);
  }

  httplib::Server::Handler authed(Handler h, bool raw_body = false) {
    return [this, h = std::move(h), raw_body](const httplib::Request& req, httplib::Response& res) {
      respond(res, [&] {
        if (!raw_body) check_body_size(req);
        return db.transaction([&] {
          Caller caller = authenticate(req);
          return h(req, caller);
        });
      });
    };
  }

  httplib::Server::Handler open(PublicHandler h) {
    return [this, h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
      respond(res, [&] {
        check_body_size(req);
        return h(req);
      });
    };
  }

  std::vector<std::string> hierarchy_of(const std::string& type, const std::string& id) {
    std::vector<std::string> out{id};
    if (type == "patient") return out;
    const DataOwnerKind* kind = kind_for_type(type);
    std::string current = id;
    for (std::size_t depth = 0; depth < kMaxHierarchyDepth; ++depth) {
      const auto doc = db.get(kind->table, current);
      if (!doc) break;
      const std::string parent = string_field(*doc, "parentId");
      if (parent.empty() || std::find(out.begin(), out.end(), parent) != out.end()) break;
      out.push_back(parent);
      current = parent;
    }
    return out;
  }

  Caller caller_for_user(json user) {
    Caller c;
    c.user_id = string_field(user, "id");
    for (const auto& k : kDataOwnerKinds) {
      const std::string id = string_field(user, k.user_field);
      if (!id.empty()) {
        c.data_owner_id = id;
        c.data_owner_type = k.type;
        break;
      }
    }
    if (!c.data_owner_id.empty()) c.hierarchy = hierarchy_of(c.data_owner_type, c.data_owner_id);
    c.user = std::move(user);
    return c;
  }

  std::optional<json> user_by_login(const std::string& login) {
    auto users = db.find_by(table::kUsers, "$.login", login);
    if (users.empty()) return std::nullopt;
    return users.front();
  }

  Caller authenticate(const httplib::Request& req) {
    const std::string auth = req.get_header_value("Authorization");
    std::optional<json> user;
    if (auth.rfind("Bearer ", 0) == 0) {
      const auto claims = jwt_verify(auth.substr(7), jwt_secret);
      if (!claims || string_field(*claims, "typ") != "access") fail(401, "Invalid or expired token");
      user = db.get(table::kUsers, string_field(*claims, "u"));
    } else if (auth.rfind("Basic ", 0) == 0) {
      const auto decoded = base64_decode_strict(auth.substr(6));
      const auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos) fail(401, "Invalid credentials");
      user = user_by_login(decoded->substr(0, colon));
      if (user && !password_verify(decoded->substr(colon + 1), string_field(*user, "passwordHash"))) user.reset();
    } else {
      fail(401, "Authentication required");
    }
    if (!user) fail(401, "Invalid credentials");
    Caller c = caller_for_user(std::move(*user));
    // Accepted like the real backend (at most once, true/false); this server never auto-fills
    // author/responsible, so anonymity is always respected.
    const std::size_t anonymity = req.get_header_value_count("Icure-Request-Autofix-Anonymity");
    if (anonymity > 1) fail(400, "Icure-Request-Autofix-Anonymity must appear at most once");
    if (anonymity == 1) {
      const std::string v = req.get_header_value("Icure-Request-Autofix-Anonymity");
      if (v != "true" && v != "false") fail(400, "Icure-Request-Autofix-Anonymity must be true or false");
    }
    const std::size_t n = req.get_header_value_count("Icure-Access-Control-Keys");
    for (std::size_t i = 0; i < n; ++i) {
      const auto raw = base64_decode_strict(req.get_header_value("Icure-Access-Control-Keys", i));
      if (!raw) fail(400, "Icure-Access-Control-Keys should be encoded in Base64");
      if (raw->empty() || raw->size() % 16 != 0) fail(400, "Icure-Access-Control-Keys must hold 16-byte keys");
      for (std::size_t off = 0; off < raw->size(); off += 16) c.ack_hashes.insert(sha256_hex(raw->substr(off, 16)));
    }
    return c;
  }

  const Caller& require_data_owner(const Caller& c) {
    if (c.data_owner_id.empty()) fail(403, "The current user is not a data owner");
    return c;
  }

  // ------------------------------------------------------------------ tokens

  json make_tokens(const std::string& user_id, bool with_refresh) {
    const std::int64_t now = now_s();
    json out;
    out["token"] = jwt_make({{"u", user_id}, {"g", kGroupId}, {"tac", kPasswordAuthClass}, {"jwtD", kAccessTokenSeconds},
                             {"iat", now}, {"exp", now + kAccessTokenSeconds}, {"typ", "access"}},
                            jwt_secret);
    if (with_refresh) {
      out["refreshToken"] = jwt_make({{"u", user_id}, {"g", kGroupId}, {"tac", kPasswordAuthClass},
                                      {"jwtD", kAccessTokenSeconds}, {"iat", now}, {"exp", now + kRefreshTokenSeconds},
                                      {"typ", "refresh"}, {"n", random_hex(8)}},
                                     jwt_secret);
    }
    return out;
  }

  std::string user_from_refresh(const httplib::Request& req) {
    std::string token = req.get_header_value("Refresh-Token");
    if (token.rfind("Bearer ", 0) == 0) token = token.substr(7);
    const auto claims = jwt_verify(token, jwt_secret);
    if (!claims || string_field(*claims, "typ") != "refresh") fail(401, "Invalid or expired refresh token");
    const std::string user_id = string_field(*claims, "u");
    const bool known = db.transaction([&] { return db.exists(table::kUsers, user_id); });
    if (!known) fail(401, "Invalid or expired refresh token");
    return user_id;
  }

  static json user_view(const json& user) {
    json out = json::object();
    for (const char* f : {"id", "rev", "login", "name", "groupId", "healthcarePartyId", "patientId", "deviceId",
                          "email", "roles", "autoDelegations"}) {
      const auto it = user.find(f);
      if (it != user.end()) out[f] = *it;
    }
    if (!out.contains("groupId")) out["groupId"] = kGroupId;
    return out;
  }

  // ------------------------------------------------------------------ data owners

  struct LoadedDataOwner {
    const DataOwnerKind* kind;
    json doc;
  };

  std::optional<LoadedDataOwner> load_data_owner(const std::string& id) {
    for (const auto& k : kDataOwnerKinds) {
      auto doc = db.get(k.table, id);
      if (doc) {
        if (doc->contains("deletionDate") && !(*doc)["deletionDate"].is_null()) return std::nullopt;
        return LoadedDataOwner{&k, std::move(*doc)};
      }
    }
    return std::nullopt;
  }

  // Full data owners: HCPs and devices are public; a patient only to those with access to it.
  bool can_see_full(const LoadedDataOwner& d, const Caller& c) {
    if (std::string(d.kind->type) != "patient") return true;
    return access_to(d.doc, c, true).read;
  }

  static json with_type(const LoadedDataOwner& d) { return json{{"type", d.kind->type}, {"dataOwner", d.doc}}; }
  static json stub_with_type(const LoadedDataOwner& d) { return json{{"type", d.kind->type}, {"stub", stub_of(d.doc)}}; }

  LoadedDataOwner current_data_owner(const Caller& c) {
    if (c.data_owner_id.empty()) fail(404, "The current user is not a data owner");
    auto d = load_data_owner(c.data_owner_id);
    if (!d) fail(404, "The current data owner does not exist");
    return std::move(*d);
  }

  json hierarchy_json(const Caller& c, bool stubs) {
    json out = json::array();
    if (c.data_owner_id.empty()) fail(404, "The current user is not a data owner");
    for (const auto& id : c.hierarchy) {
      auto d = load_data_owner(id);
      if (!d) fail(422, "Missing data owner in the hierarchy");
      out.push_back(stubs ? stub_with_type(*d) : with_type(*d));
    }
    return out;
  }

  Reply modify_stub(const httplib::Request& req, const Caller& c) {
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
    const auto pk = st->find("publicKeysForOaepWithSha256");
    if (pk != st->end() && !pk->is_null()) string_array(*st, "publicKeysForOaepWithSha256");
    for (const char* f : {"hcPartyKeys", "aesExchangeKeys", "transferKeys", "privateKeyShamirPartitions"}) {
      const auto it = st->find(f);
      if (it != st->end() && !it->is_null() && !it->is_object()) fail(400, std::string(f) + " must be an object");
    }
    const auto pub = st->find("publicKey");
    if (pub != st->end() && !pub->is_null() && !pub->is_string()) fail(400, "publicKey must be a string");
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

  // ------------------------------------------------------------------ exchange data

  bool participates(const json& xd, const Caller& c) {
    return c.in_hierarchy(string_field(xd, "delegator")) || c.in_hierarchy(string_field(xd, "delegate"));
  }

  static void validate_exchange_data(const json& xd) {
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

  Reply create_exchange_data(const httplib::Request& req, const Caller& c) {
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

  Reply modify_exchange_data(const httplib::Request& req, const Caller& c) {
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

  Reply exchange_data_by_participant(const httplib::Request& req, const Caller& c, const std::string& owner) {
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

  Reply exchange_data_by_pair(const Caller& c, const std::string& delegator, const std::string& delegate) {
    if (!c.in_hierarchy(delegator) && !c.in_hierarchy(delegate)) fail(403, "Not a participant");
    json out = json::array();
    for (auto& xd : db.find_by(table::kExchangeData, "$.delegator", delegator)) {
      if (string_field(xd, "delegate") == delegate && !xd.contains("deletionDate")) out.push_back(std::move(xd));
    }
    return json_reply(out);
  }

  // ------------------------------------------------------------------ entities

  struct LoadedEntity {
    json doc;
    Access access;
  };

  // 404 if missing, 403 if the caller cannot read it.
  LoadedEntity load_readable(const EntityKind& k, const std::string& id, const Caller& c) {
    auto doc = db.get(k.table, id);
    if (!doc) fail(404, std::string("No ") + k.type_name + " with id " + id);
    Access a = access_to(*doc, c, k.is_patient);
    if (!a.read) fail(403, std::string("No access to ") + k.type_name + " " + id);
    return {std::move(*doc), std::move(a)};
  }

  LoadedEntity load_writable(const EntityKind& k, const std::string& id, const Caller& c) {
    auto e = load_readable(k, id, c);
    if (!e.access.write) fail(403, std::string("No write access to ") + k.type_name + " " + id);
    return e;
  }

  json create_entity(const EntityKind& k, json entity, const Caller& c) {
    if (!entity.is_object()) fail(400, "Expected a JSON object");
    const std::string id = require_string(entity, "id");
    if (!valid_entity_id(id)) fail(400, "Invalid id");
    if (entity.contains("rev") && !entity["rev"].is_null()) fail(400, "A new entity must not have a rev");
    validate_security_metadata(entity);
    // The creator must be able to write what it creates (no entities planted in someone else's name).
    if (!access_to(entity, c, k.is_patient).write) {
      fail(403, "The new entity must give its creator write access (a WRITE delegation naming the creator, or an access control key)");
    }
    if (db.exists(k.table, id) || (k.is_patient && load_data_owner(id))) fail(409, "An entity with id " + id + " already exists");
    entity["rev"] = next_rev(json::object());
    db.insert(k.table, id, entity);
    return entity;
  }

  // Security metadata as the backend's model sees it: absent collections are empty (clients that
  // omit default values, like the official SDK, or add them, send the same metadata).
  static json normalized_metadata(const json& sm) {
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

  json modify_entity(const EntityKind& k, json entity, const Caller& c) {
    if (!entity.is_object()) fail(400, "Expected a JSON object");
    const std::string id = require_string(entity, "id");
    const auto rev = optional_string(entity, "rev");
    if (!rev) fail(400, "A modified entity needs its rev");
    auto stored = load_writable(k, id, c);
    if (*rev != rev_of(stored.doc)) fail(409, "Outdated revision");
    const auto sm_new = entity.find("securityMetadata");
    const auto sm_old = stored.doc.find("securityMetadata");
    const json a = sm_new == entity.end() ? json() : *sm_new;
    const json b = sm_old == stored.doc.end() ? json() : *sm_old;
    if (normalized_metadata(a) != normalized_metadata(b)) {
      // Only an entity without security metadata (e.g. a seeded patient initialising its own) may get
      // its first metadata through a modify; existing metadata changes only through bulk share.
      if (!secure_delegations_of(stored.doc).empty()) {
        fail(400, "Impossible to modify directly security metadata: use share methods instead");
      }
      validate_security_metadata(entity);
      if (!access_to(entity, c, k.is_patient).write) fail(403, "The new security metadata must keep write access for the caller");
    }
    if (k.is_patient && !(c.hierarchy.size() > 0 && c.hierarchy.front() == id)) {
      for (const char* f : kCryptoActorFields) {
        const auto x = entity.find(f);
        const auto y = stored.doc.find(f);
        const json xv = x == entity.end() ? json() : *x;
        const json yv = y == stored.doc.end() ? json() : *y;
        if (xv != yv) fail(400, std::string("Only the patient may change its crypto field ") + f);
      }
    }
    if (std::string(k.path) == "document") {
      // Attachment fields are managed by the attachment endpoints.
      for (const char* f : {"attachmentId", "size", "mainUti", "otherUtis"}) {
        const auto y = stored.doc.find(f);
        if (y != stored.doc.end()) entity[f] = *y;
        else entity.erase(f);
      }
    }
    entity["rev"] = next_rev(stored.doc);
    db.put(k.table, id, entity);
    return entity;
  }

  json delete_entity(const EntityKind& k, const std::string& id, const std::optional<std::string>& rev, const Caller& c) {
    auto stored = load_writable(k, id, c);
    if (rev && *rev != rev_of(stored.doc)) fail(409, "Outdated revision");
    stored.doc["deletionDate"] = now_ms();
    stored.doc["rev"] = next_rev(stored.doc);
    db.put(k.table, id, stored.doc);
    return json{{"id", id}, {"rev", stored.doc["rev"]}};
  }

  void register_entity_routes(const EntityKind& k) {
    const std::string base = std::string("/rest/v2/") + k.path;
    const EntityKind* kp = &k;

    http.Post(base, authed([this, kp](const httplib::Request& req, Caller& c) {
      require_data_owner(c);
      return json_reply(create_entity(*kp, parse_object_body(req), c));
    }));
    http.Post(base + "/batch", authed([this, kp](const httplib::Request& req, Caller& c) {
      require_data_owner(c);
      const json body = parse_json_body(req);
      if (!body.is_array()) fail(400, "Expected a JSON array");
      json out = json::array();
      for (const auto& e : body) {
        if (!e.is_object()) fail(400, "Expected an array of objects");
        try {
          out.push_back(create_entity(*kp, e, c));
        } catch (const HttpError& err) {
          if (err.status == 400) throw;  // malformed input rejects the whole batch
        }
      }
      return json_reply(out);
    }));
    http.Put(base, authed([this, kp](const httplib::Request& req, Caller& c) {
      return json_reply(modify_entity(*kp, parse_object_body(req), c));
    }));
    http.Put(base + "/batch", authed([this, kp](const httplib::Request& req, Caller& c) {
      const json body = parse_json_body(req);
      if (!body.is_array()) fail(400, "Expected a JSON array");
      json out = json::array();
      for (const auto& e : body) {
        if (!e.is_object()) fail(400, "Expected an array of objects");
        try {
          out.push_back(modify_entity(*kp, e, c));
        } catch (const HttpError& err) {
          if (err.status == 400) throw;
        }
      }
      return json_reply(out);
    }));
    http.Post(base + "/byIds", authed([this, kp](const httplib::Request& req, Caller& c) {
      json out = json::array();
      for (const auto& id : list_of_ids(req, false)) {
        auto doc = db.get(kp->table, id);
        if (doc && access_to(*doc, c, kp->is_patient).read) out.push_back(std::move(*doc));
      }
      return json_reply(out);
    }));
    http.Post(base + "/delete/batch", authed([this, kp](const httplib::Request& req, Caller& c) {
      json out = json::array();
      for (const auto& id : list_of_ids(req)) {
        try {
          out.push_back(delete_entity(*kp, id, std::nullopt, c));
        } catch (const HttpError&) {
        }
      }
      return json_reply(out);
    }));
    http.Post(base + "/delete/batch/withrev", authed([this, kp](const httplib::Request& req, Caller& c) {
      const json body = parse_object_body(req);
      const auto ids = body.find("ids");
      if (ids == body.end() || !ids->is_array()) fail(400, "ids must be an array");
      json out = json::array();
      for (const auto& item : *ids) {
        if (!item.is_object()) fail(400, "ids must hold {id, rev} objects");
        const std::string id = require_string(item, "id");
        const auto rev = optional_string(item, "rev");
        try {
          out.push_back(delete_entity(*kp, id, rev, c));
        } catch (const HttpError&) {
        }
      }
      return json_reply(out);
    }));
    http.Put(base + "/bulkSharedMetadataUpdate", authed([this, kp](const httplib::Request& req, Caller& c) {
      return json_reply(bulk_share(*kp, parse_object_body(req), c, false));
    }));
    http.Put(base + "/bulkSharedMetadataUpdateMinimal", authed([this, kp](const httplib::Request& req, Caller& c) {
      return json_reply(bulk_share(*kp, parse_object_body(req), c, true));
    }));

    http.Post(base + "/undelete/([^/]+)", authed([this, kp](const httplib::Request& req, Caller& c) {
      const std::string id = req.matches[1].str();
      auto e = load_writable(*kp, id, c);
      if (!req.has_param("rev")) fail(400, "rev is required");
      if (req.get_param_value("rev") != rev_of(e.doc)) fail(409, "Outdated revision");
      e.doc.erase("deletionDate");
      e.doc["rev"] = next_rev(e.doc);
      db.put(kp->table, id, e.doc);
      return json_reply(e.doc);
    }));
    http.Delete(base + "/purge/([^/]+)", authed([this, kp](const httplib::Request& req, Caller& c) {
      const std::string id = req.matches[1].str();
      auto e = load_writable(*kp, id, c);
      if (!req.has_param("rev")) fail(400, "rev is required");
      if (req.get_param_value("rev") != rev_of(e.doc)) fail(409, "Outdated revision");
      if (kp->is_patient && load_data_owner(id)) fail(400, "A patient that is a user's data owner cannot be purged");
      const std::string attachment = string_field(e.doc, "attachmentId");
      if (!attachment.empty()) db.remove(table::kAttachments, attachment);
      db.remove(kp->table, id);
      return json_reply(json{{"id", id}, {"rev", rev_of(e.doc)}});
    }));

    if (std::string(k.path) == "document") register_attachment_routes();

    http.Get(base + "/([^/]+)", authed([this, kp](const httplib::Request& req, Caller& c) {
      return json_reply(load_readable(*kp, req.matches[1].str(), c).doc);
    }));
    http.Delete(base + "/([^/]+)", authed([this, kp](const httplib::Request& req, Caller& c) {
      std::optional<std::string> rev;
      if (req.has_param("rev")) rev = req.get_param_value("rev");
      return json_reply(delete_entity(*kp, req.matches[1].str(), rev, c));
    }));
  }

  void register_attachment_routes() {
    const EntityKind& k = kEntityKinds[2];
    const EntityKind* kp = &k;
    const httplib::Server::Handler upload = authed([this, kp](const httplib::Request& req, Caller& c) {
      const std::string id = req.matches[1].str();
      auto e = load_writable(*kp, id, c);
      if (!req.has_param("rev")) fail(400, "rev is required");
      if (req.get_param_value("rev") != rev_of(e.doc)) fail(409, "Outdated revision");
      const std::string old = string_field(e.doc, "attachmentId");
      if (!old.empty()) db.remove(table::kAttachments, old);
      const std::string attachment_id = random_hex(16);
      db.put_blob(attachment_id, req.body);
      e.doc["attachmentId"] = attachment_id;
      e.doc["size"] = req.body.size();
      std::vector<std::string> utis;
      for (std::size_t i = 0; i < req.get_param_value_count("utis"); ++i) {
        std::stringstream ss(req.get_param_value("utis", i));
        std::string u;
        while (std::getline(ss, u, ',')) {
          if (!u.empty()) utis.push_back(u);
        }
      }
      if (!utis.empty()) {
        e.doc["mainUti"] = utis.front();
        e.doc["otherUtis"] = std::vector<std::string>(utis.begin() + 1, utis.end());
      }
      e.doc["rev"] = next_rev(e.doc);
      db.put(kp->table, id, e.doc);
      return json_reply(e.doc);
    }, /*raw_body=*/true);
    // Streams the body (Content-Length or chunked) and stops reading at max_attachment_bytes.
    http.Put(R"(/rest/v2/document/([^/]+)/attachment)",
             [this, upload](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
               httplib::Request full = req;
               bool too_large = false;
               std::size_t discarded = 0;
               const bool complete = reader([&](const char* data, std::size_t len) {
                 if (!too_large && full.body.size() + len > options.max_attachment_bytes) {
                   too_large = true;
                   full.body.clear();
                   full.body.shrink_to_fit();
                 }
                 if (!too_large) {
                   full.body.append(data, len);
                   return true;
                 }
                 // Past the limit: read on (up to a bound) without keeping anything, so that the
                 // client gets the 413 instead of a connection reset.
                 discarded += len;
                 return discarded <= kMaxDiscardedBytes;
               });
               // cpp-httplib's own Content-Length check (above both limits) also ends here, as 413.
               if (too_large || res.status == 413) {
                 res.status = 413;
                 res.set_header("Connection", "close");
                 res.set_content(error_body(too_large_message(options.max_attachment_bytes, "--max-attachment-bytes")).dump(),
                                 "application/json");
                 return;
               }
               if (!complete) {  // never store a partial attachment
                 res.status = 400;
                 res.set_header("Connection", "close");
                 res.set_content(error_body("The attachment body could not be read completely").dump(), "application/json");
                 return;
               }
               upload(full, res);
             });
    auto get_attachment = [this, kp](const httplib::Request& req, Caller& c) {
      const auto e = load_readable(*kp, req.matches[1].str(), c);
      const std::string attachment_id = string_field(e.doc, "attachmentId");
      if (attachment_id.empty()) fail(404, "The document has no main attachment");
      if (req.matches.size() > 2 && req.matches[2].str() != attachment_id) fail(404, "No such attachment");
      auto data = db.get_blob(attachment_id);
      if (!data) fail(404, "The attachment is missing");
      return Reply{200, std::move(*data), "application/octet-stream"};
    };
    http.Get(R"(/rest/v2/document/([^/]+)/attachment)", authed(get_attachment));
    http.Get(R"(/rest/v2/document/([^/]+)/attachment/([^/]+))", authed(get_attachment));
    http.Delete(R"(/rest/v2/document/([^/]+)/attachment)", authed([this, kp](const httplib::Request& req, Caller& c) {
      const std::string id = req.matches[1].str();
      auto e = load_writable(*kp, id, c);
      if (!req.has_param("rev")) fail(400, "rev is required");
      if (req.get_param_value("rev") != rev_of(e.doc)) fail(409, "Outdated revision");
      const std::string old = string_field(e.doc, "attachmentId");
      if (!old.empty()) db.remove(table::kAttachments, old);
      for (const char* f : {"attachmentId", "size", "mainUti", "otherUtis"}) e.doc.erase(f);
      e.doc["rev"] = next_rev(e.doc);
      db.put(kp->table, id, e.doc);
      return json_reply(e.doc);
    }));
  }

  // ------------------------------------------------------------------ bulk share

  json bulk_share(const EntityKind& k, const json& body, const Caller& c, bool minimal) {
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

  // ------------------------------------------------------------------ routes

  void register_routes() {
    // --- auth
    http.Post("/rest/v2/auth/login", open([this](const httplib::Request& req) {
      const json body = parse_object_body(req);
      const auto username = optional_string(body, "username");
      const auto password = optional_string(body, "password");
      if (!username || !password) fail(400, "username and password are required");
      if (req.has_param("groupId") && req.get_param_value("groupId") != kGroupId) fail(401, "Invalid credentials");
      const auto user = db.transaction([&] { return user_by_login(*username); });
      // Verified outside the database lock (PBKDF2 is slow on purpose).
      if (!user || !password_verify(*password, string_field(*user, "passwordHash"))) fail(401, "Invalid credentials");
      return json_reply(make_tokens(string_field(*user, "id"), true));
    }));
    http.Post("/rest/v2/auth/refresh", open([this](const httplib::Request& req) {
      return json_reply(json{{"token", make_tokens(user_from_refresh(req), false)["token"]}});
    }));
    http.Post(R"(/rest/v2/auth/switch/([^/]+))", open([this](const httplib::Request& req) {
      const std::string user_id = user_from_refresh(req);
      if (req.matches[1].str() != kGroupId) fail(403, "Unknown group");
      return json_reply(make_tokens(user_id, true));
    }));
    http.Post("/rest/v2/auth/invalidate", open([](const httplib::Request&) { return json_reply(json::object()); }));

    // --- users
    http.Get("/rest/v2/user/current", authed([](const httplib::Request&, Caller& c) { return json_reply(user_view(c.user)); }));
    http.Get("/rest/v2/user/matches", authed([](const httplib::Request&, Caller& c) {
      json m = {{"groupId", kGroupId}, {"groupName", kGroupId}, {"userId", c.user_id}, {"login", string_field(c.user, "login")}};
      for (const auto& k : kDataOwnerKinds) {
        const std::string id = string_field(c.user, k.user_field);
        if (!id.empty()) m[k.user_field] = id;
      }
      return json_reply(json::array({m}));
    }));

    // --- data owners
    http.Get("/rest/v2/dataowner/current", authed([this](const httplib::Request&, Caller& c) {
      return json_reply(with_type(current_data_owner(c)));
    }));
    http.Get("/rest/v2/dataowner/current/stub", authed([this](const httplib::Request&, Caller& c) {
      return json_reply(stub_with_type(current_data_owner(c)));
    }));
    http.Get("/rest/v2/dataowner/current/hierarchy", authed([this](const httplib::Request&, Caller& c) {
      return json_reply(hierarchy_json(c, false));
    }));
    http.Get("/rest/v2/dataowner/current/hierarchy/stub", authed([this](const httplib::Request&, Caller& c) {
      return json_reply(hierarchy_json(c, true));
    }));
    http.Put("/rest/v2/dataowner/stub", authed([this](const httplib::Request& req, Caller& c) { return modify_stub(req, c); }));
    http.Post("/rest/v2/dataowner/stub/byIds", authed([this](const httplib::Request& req, Caller&) {
      json out = json::array();
      for (const auto& id : list_of_ids(req)) {
        if (auto d = load_data_owner(id)) out.push_back(stub_with_type(*d));
      }
      return json_reply(out);
    }));
    http.Get(R"(/rest/v2/dataowner/stub/([^/]+))", authed([this](const httplib::Request& req, Caller&) {
      auto d = load_data_owner(req.matches[1].str());
      if (!d) fail(404, "No data owner with id " + req.matches[1].str());
      return json_reply(stub_with_type(*d));
    }));
    http.Post("/rest/v2/dataowner/byIds", authed([this](const httplib::Request& req, Caller& c) {
      json out = json::array();
      for (const auto& id : list_of_ids(req)) {
        auto d = load_data_owner(id);
        if (d && can_see_full(*d, c)) out.push_back(with_type(*d));
      }
      return json_reply(out);
    }));
    http.Get(R"(/rest/v2/dataowner/([^/]+))", authed([this](const httplib::Request& req, Caller& c) {
      auto d = load_data_owner(req.matches[1].str());
      if (!d) fail(404, "No data owner with id " + req.matches[1].str());
      if (!can_see_full(*d, c)) fail(403, "No access to this data owner");
      return json_reply(with_type(*d));
    }));
    http.Get("/rest/v2/hcparty/current", authed([this](const httplib::Request&, Caller& c) {
      if (c.data_owner_type != "hcp") fail(400, "The current user is not a healthcare party");
      return json_reply(current_data_owner(c).doc);
    }));
    http.Post("/rest/v2/hcparty/byIds", authed([this](const httplib::Request& req, Caller&) {
      json out = json::array();
      for (const auto& id : list_of_ids(req)) {
        if (auto d = db.get(table::kHcps, id)) out.push_back(std::move(*d));
      }
      return json_reply(out);
    }));
    http.Get(R"(/rest/v2/hcparty/([^/]+))", authed([this](const httplib::Request& req, Caller&) {
      auto d = db.get(table::kHcps, req.matches[1].str());
      if (!d) fail(404, "No healthcare party with id " + req.matches[1].str());
      return json_reply(*d);
    }));
    http.Get(R"(/rest/v2/device/([^/]+))", authed([this](const httplib::Request& req, Caller&) {
      auto d = db.get(table::kDevices, req.matches[1].str());
      if (!d) fail(404, "No device with id " + req.matches[1].str());
      return json_reply(*d);
    }));

    // --- exchange data
    http.Post("/rest/v2/exchangedata", authed([this](const httplib::Request& req, Caller& c) { return create_exchange_data(req, c); }));
    http.Put("/rest/v2/exchangedata", authed([this](const httplib::Request& req, Caller& c) { return modify_exchange_data(req, c); }));
    http.Post("/rest/v2/exchangedata/byIds", authed([this](const httplib::Request& req, Caller& c) {
      json out = json::array();
      for (const auto& id : list_of_ids(req)) {
        auto xd = db.get(table::kExchangeData, id);
        if (xd && participates(*xd, c)) out.push_back(std::move(*xd));
      }
      return json_reply(out);
    }));
    auto counterparts = [this](const httplib::Request& req, Caller& c, const std::string& owner) {
      if (!c.in_hierarchy(owner)) fail(403, "Only the data owner (or its hierarchy) may list its counterparts");
      std::set<std::string> types;
      std::stringstream ss(query_param(req, "counterpartsTypes"));
      std::string t;
      while (std::getline(ss, t, ',')) {
        std::transform(t.begin(), t.end(), t.begin(), [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); });
        if (t != "hcp" && t != "patient" && t != "device") fail(400, "counterpartsTypes holds HCP, PATIENT or DEVICE");
        types.insert(t);
      }
      if (types.empty()) fail(400, "counterpartsTypes is required");
      const std::string fp = query_param(req, "ignoreOnEntryForFingerprint");
      std::set<std::string> out;
      for (const auto& xd : db.exchange_data_of(owner, "", std::numeric_limits<std::size_t>::max() / 2)) {
        if (!fp.empty()) {
          bool everywhere = true;
          for (const char* f : {"exchangeKey", "accessControlSecret", "sharedSignatureKey"}) {
            const auto m = xd.find(f);
            if (m == xd.end() || !m->is_object() || !m->contains(fp)) everywhere = false;
          }
          if (everywhere) continue;
        }
        for (const char* f : {"delegator", "delegate"}) {
          const std::string other = string_field(xd, f);
          if (other == owner || other.empty() || other.find('/') != std::string::npos) continue;
          const auto d = load_data_owner(other);
          if (d && types.count(d->kind->type) != 0) out.insert(other);
        }
      }
      return json_reply(json(std::vector<std::string>(out.begin(), out.end())));
    };
    http.Get("/rest/v2/exchangedata/byParticipant/counterparts", authed([counterparts](const httplib::Request& req, Caller& c) {
      return counterparts(req, c, query_param(req, "dataOwnerId"));
    }));
    http.Get(R"(/rest/v2/exchangedata/byParticipant/([^/]+)/counterparts)", authed([counterparts](const httplib::Request& req, Caller& c) {
      return counterparts(req, c, req.matches[1].str());
    }));
    http.Get("/rest/v2/exchangedata/byParticipant", authed([this](const httplib::Request& req, Caller& c) {
      return exchange_data_by_participant(req, c, query_param(req, "dataOwnerId"));
    }));
    http.Get(R"(/rest/v2/exchangedata/byParticipant/([^/]+))", authed([this](const httplib::Request& req, Caller& c) {
      return exchange_data_by_participant(req, c, req.matches[1].str());
    }));
    http.Get("/rest/v2/exchangedata/byDelegatorDelegate", authed([this](const httplib::Request& req, Caller& c) {
      return exchange_data_by_pair(c, query_param(req, "delegatorId"), query_param(req, "delegateId"));
    }));
    http.Get(R"(/rest/v2/exchangedata/byDelegatorDelegate/([^/]+)/([^/]+))", authed([this](const httplib::Request& req, Caller& c) {
      return exchange_data_by_pair(c, req.matches[1].str(), req.matches[2].str());
    }));
    http.Get(R"(/rest/v2/exchangedata/([^/]+))", authed([this](const httplib::Request& req, Caller& c) {
      auto xd = db.get(table::kExchangeData, req.matches[1].str());
      if (!xd) fail(404, "No exchange data with id " + req.matches[1].str());
      if (!participates(*xd, c)) fail(403, "Not a participant of this exchange data");
      return json_reply(*xd);
    }));

    // --- exchange data maps
    http.Put("/rest/v2/exchangedatamap/batch", authed([this](const httplib::Request& req, Caller& c) {
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
        for (const auto& [fp, v] : entries.items()) {
          if (!v.is_string()) fail(400, "Encrypted exchange data ids must be strings");
          (void)fp;
        }
        todo.emplace_back(sha256_hex(*ack), entries);
      }
      for (const auto& [id, entries] : todo) merge_exchange_data_map(db, id, entries);
      return Reply{200, "ok", "text/plain"};
    }));
    http.Post("/rest/v2/exchangedatamap/batch", authed([this](const httplib::Request& req, Caller& c) {
      require_data_owner(c);
      json out = json::array();
      for (const auto& id : list_of_ids(req)) {
        if (auto m = db.get(table::kExchangeDataMaps, id)) out.push_back(std::move(*m));
      }
      return json_reply(out);
    }));

    // --- recovery data
    http.Post("/rest/v2/recoverydata", authed([this](const httplib::Request& req, Caller& c) {
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
    }));
    auto get_recovery = [this](const httplib::Request& req, Caller& c) {
      require_data_owner(c);
      const std::string id = req.matches[1].str();
      auto rd = db.get(table::kRecoveryData, id);
      if (!rd) fail(404, "No recovery data with id " + id);
      const auto exp = rd->find("expirationInstant");
      if (exp != rd->end() && exp->is_number_integer() && exp->get<std::int64_t>() <= now_ms()) {
        db.remove(table::kRecoveryData, id);
        return Reply{404, error_body("No recovery data with id " + id).dump(), "application/json"};
      }
      return json_reply(*rd);
    };
    http.Get(R"(/rest/v2/recoverydata/waiting/([^/]+))", authed(get_recovery));
    http.Get(R"(/rest/v2/recoverydata/([^/]+))", authed(get_recovery));
    auto delete_for_recipient = [this](const httplib::Request& req, Caller& c) {
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
    };
    http.Delete(R"(/rest/v2/recoverydata/forRecipient/([^/]+)/ofType/([^/]+))", authed(delete_for_recipient));
    http.Delete(R"(/rest/v2/recoverydata/forRecipient/([^/]+))", authed(delete_for_recipient));
    http.Delete(R"(/rest/v2/recoverydata/([^/]+))", authed([this](const httplib::Request& req, Caller& c) {
      require_data_owner(c);
      const std::string id = req.matches[1].str();
      auto rd = db.get(table::kRecoveryData, id);
      if (!rd) fail(404, "No recovery data with id " + id);
      db.remove(table::kRecoveryData, id);
      return json_reply(json{{"id", id}, {"rev", rev_of(*rd)}});
    }));

    // --- encryptable entities
    for (const auto& k : kEntityKinds) register_entity_routes(k);

    // --- test admin (raw record access, bypassing every check)
    if (options.insecure_test_admin) {
      auto table_for = [](const std::string& name) -> const char* {
        for (const char* t : {table::kUsers, table::kHcps, table::kPatients, table::kDevices, table::kExchangeData,
                              table::kExchangeDataMaps, table::kRecoveryData, table::kHealthElements,
                              table::kDocuments, table::kContacts}) {
          if (name == t) return t;
        }
        fail(404, "Unknown table " + name);
      };
      http.Get(R"(/devserver/admin/([a-z_]+)/([^/]+))", open([this, table_for](const httplib::Request& req) {
        return db.transaction([&] {
          auto doc = db.get(table_for(req.matches[1].str()), req.matches[2].str());
          if (!doc) fail(404, "No such record");
          return json_reply(*doc);
        });
      }));
      // A user for an existing data owner (what the platform's invitation of a patient does):
      // {login, password, patientId | healthcarePartyId | deviceId, id?}.
      http.Post("/devserver/admin/users", open([this](const httplib::Request& req) {
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
      }));
      http.Put(R"(/devserver/admin/([a-z_]+)/([^/]+))", open([this, table_for](const httplib::Request& req) {
        const json doc = parse_object_body(req);
        return db.transaction([&] {
          db.put(table_for(req.matches[1].str()), req.matches[2].str(), doc);
          return json_reply(doc);
        });
      }));
    }
  }
};

Server::Server(Options options) : impl_(std::make_unique<Impl>(std::move(options))) { impl_->init(); }
Server::~Server() = default;

int Server::bind() {
  int port = impl_->options.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port("127.0.0.1");
    if (port <= 0) throw std::runtime_error("cannot bind 127.0.0.1");
  } else if (!impl_->http.bind_to_port("127.0.0.1", port)) {
    throw std::runtime_error("cannot bind 127.0.0.1:" + std::to_string(port));
  }
  // Linux lets listen() be called again on a listening socket to change its backlog.
  if (impl_->listen_socket != INVALID_SOCKET) ::listen(impl_->listen_socket, 512);
  return port;
}

void Server::run() { impl_->http.listen_after_bind(); }
bool Server::stop() {
  if (!impl_->http.is_running()) return false;
  impl_->http.stop();
  return true;
}

}  // namespace devserver
