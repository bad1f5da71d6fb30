// What every group of routes shares: the HTTP server, the store, the options, the JWT secret, the
// reply type and the request plumbing (body parsing, authentication, one transaction per request).
// Each resource registers its routes with a `register_*_routes(Context&)` function (routes.hpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "db.hpp"
#include "rules.hpp"
#include "server.hpp"

namespace devserver {

using json = nlohmann::json;

inline constexpr const char* kGroupId = "devserver";
inline constexpr std::size_t kMaxJsonDepth = 64;

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

inline Reply json_reply(const json& j, int status = 200) { return Reply{status, j.dump(), "application/json"}; }
inline json error_body(const std::string& message) { return json{{"message", message}}; }

// Request bodies (bounded nesting, checked before parsing; malformed → 400).
json parse_json_body(const httplib::Request& req);
json parse_object_body(const httplib::Request& req);
// The ids of a ListOfIds body, de-duplicated in order.
std::vector<std::string> list_of_ids(const httplib::Request& req, bool allow_empty = true);
std::string query_param(const httplib::Request& req, const char* name);

struct Context {
  explicit Context(Options o) : options(std::move(o)), db(options.db_path) {}

  Options options;
  Db db;
  httplib::Server http;
  std::string jwt_secret;

  using Handler = std::function<Reply(const httplib::Request&, Caller&)>;
  using PublicHandler = std::function<Reply(const httplib::Request&)>;

  // A route that needs a signed-in caller; runs `h` in one transaction (all or nothing).
  // `raw_body`: the body is not JSON (attachments) and has its own size limit.
  httplib::Server::Handler authed(Handler h, bool raw_body = false);
  // A route without authentication (login, test admin); `h` opens its own transactions.
  httplib::Server::Handler open(PublicHandler h);
  // Runs `f` and turns HttpError / JSON errors / anything else into the JSON error reply.
  void respond(httplib::Response& res, const std::function<Reply()>& f);
  // 413 when a JSON body is over --max-body-bytes.
  void check_body_size(const httplib::Request& req) const;

  Caller authenticate(const httplib::Request& req);
  Caller caller_for_user(json user);
  std::vector<std::string> hierarchy_of(const std::string& type, const std::string& id);
};

std::string too_large_message(std::size_t limit, const char* flag);

}  // namespace devserver
