#include "context.hpp"

#include <algorithm>
#include <iostream>
#include <set>
#include <utility>

#include "store.hpp"
#include "util.hpp"

namespace devserver {

namespace {
constexpr std::size_t kMaxHierarchyDepth = 5;
}  // namespace

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

std::vector<std::string> list_of_ids(const httplib::Request& req, bool allow_empty) {
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

std::string query_param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

std::string too_large_message(std::size_t limit, const char* flag) {
  return "Request body too large: the limit is " + std::to_string(limit) + " bytes (" + flag + ")";
}

void Context::check_body_size(const httplib::Request& req) const {
  if (req.body.size() > options.max_body_bytes) fail(413, too_large_message(options.max_body_bytes, "--max-body-bytes"));
}

void Context::respond(httplib::Response& res, const std::function<Reply()>& f) {
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

httplib::Server::Handler Context::authed(Handler h, bool raw_body) {
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

httplib::Server::Handler Context::open(PublicHandler h) {
  return [this, h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
    respond(res, [&] {
      check_body_size(req);
      return h(req);
    });
  };
}

std::vector<std::string> Context::hierarchy_of(const std::string& type, const std::string& id) {
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

Caller Context::caller_for_user(json user) {
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

namespace {

// Accepted like the real backend (at most once, true/false); this server never auto-fills
// author/responsible, so anonymity is always respected.
void check_anonymity_header(const httplib::Request& req) {
  const std::size_t anonymity = req.get_header_value_count("Icure-Request-Autofix-Anonymity");
  if (anonymity > 1) fail(400, "Icure-Request-Autofix-Anonymity must appear at most once");
  if (anonymity == 1) {
    const std::string v = req.get_header_value("Icure-Request-Autofix-Anonymity");
    if (v != "true" && v != "false") fail(400, "Icure-Request-Autofix-Anonymity must be true or false");
  }
}

void read_access_control_keys(const httplib::Request& req, Caller& c) {
  const std::size_t n = req.get_header_value_count("Icure-Access-Control-Keys");
  for (std::size_t i = 0; i < n; ++i) {
    const auto raw = base64_decode_strict(req.get_header_value("Icure-Access-Control-Keys", i));
    if (!raw) fail(400, "Icure-Access-Control-Keys should be encoded in Base64");
    if (raw->empty() || raw->size() % 16 != 0) fail(400, "Icure-Access-Control-Keys must hold 16-byte keys");
    for (std::size_t off = 0; off < raw->size(); off += 16) c.ack_hashes.insert(sha256_hex(raw->substr(off, 16)));
  }
}

}  // namespace

Caller Context::authenticate(const httplib::Request& req) {
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
    user = user_by_login(db, decoded->substr(0, colon));
    if (user && !password_verify(decoded->substr(colon + 1), string_field(*user, "passwordHash"))) user.reset();
  } else {
    fail(401, "Authentication required");
  }
  if (!user) fail(401, "Invalid credentials");
  Caller c = caller_for_user(std::move(*user));
  check_anonymity_header(req);
  read_access_control_keys(req, c);
  return c;
}

}  // namespace devserver
