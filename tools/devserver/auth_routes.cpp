// POST /rest/v2/auth/{login,refresh,switch/{group},invalidate}, GET /rest/v2/user/{current,matches}.
#include "routes.hpp"
#include "store.hpp"
#include "util.hpp"

namespace devserver {

namespace {

constexpr std::int64_t kAccessTokenSeconds = 3600;
constexpr std::int64_t kRefreshTokenSeconds = 30 * 24 * 3600;
constexpr int kPasswordAuthClass = 20;

json make_tokens(const Context& ctx, const std::string& user_id, bool with_refresh) {
  const std::int64_t now = now_s();
  json out;
  out["token"] = jwt_make({{"u", user_id}, {"g", kGroupId}, {"tac", kPasswordAuthClass}, {"jwtD", kAccessTokenSeconds},
                           {"iat", now}, {"exp", now + kAccessTokenSeconds}, {"typ", "access"}},
                          ctx.jwt_secret);
  if (with_refresh) {
    out["refreshToken"] = jwt_make({{"u", user_id}, {"g", kGroupId}, {"tac", kPasswordAuthClass},
                                    {"jwtD", kAccessTokenSeconds}, {"iat", now}, {"exp", now + kRefreshTokenSeconds},
                                    {"typ", "refresh"}, {"n", random_hex(8)}},
                                   ctx.jwt_secret);
  }
  return out;
}

std::string user_from_refresh(Context& ctx, const httplib::Request& req) {
  std::string token = req.get_header_value("Refresh-Token");
  if (token.rfind("Bearer ", 0) == 0) token = token.substr(7);
  const auto claims = jwt_verify(token, ctx.jwt_secret);
  if (!claims || string_field(*claims, "typ") != "refresh") fail(401, "Invalid or expired refresh token");
  const std::string user_id = string_field(*claims, "u");
  const bool known = ctx.db.transaction([&] { return ctx.db.exists(table::kUsers, user_id); });
  if (!known) fail(401, "Invalid or expired refresh token");
  return user_id;
}

json user_view(const json& user) {
  json out = json::object();
  for (const char* f : {"id", "rev", "login", "name", "groupId", "healthcarePartyId", "patientId", "deviceId", "email",
                        "roles", "autoDelegations"}) {
    const auto it = user.find(f);
    if (it != user.end()) out[f] = *it;
  }
  if (!out.contains("groupId")) out["groupId"] = kGroupId;
  return out;
}

}  // namespace

void register_auth_routes(Context& ctx) {
  auto& http = ctx.http;
  http.Post("/rest/v2/auth/login", ctx.open([&ctx](const httplib::Request& req) {
    const json body = parse_object_body(req);
    const auto username = optional_string(body, "username");
    const auto password = optional_string(body, "password");
    if (!username || !password) fail(400, "username and password are required");
    if (req.has_param("groupId") && req.get_param_value("groupId") != kGroupId) fail(401, "Invalid credentials");
    const auto user = ctx.db.transaction([&] { return user_by_login(ctx.db, *username); });
    // Verified outside the database lock (PBKDF2 is slow on purpose).
    if (!user || !password_verify(*password, string_field(*user, "passwordHash"))) fail(401, "Invalid credentials");
    return json_reply(make_tokens(ctx, string_field(*user, "id"), true));
  }));
  http.Post("/rest/v2/auth/refresh", ctx.open([&ctx](const httplib::Request& req) {
    return json_reply(json{{"token", make_tokens(ctx, user_from_refresh(ctx, req), false)["token"]}});
  }));
  http.Post(R"(/rest/v2/auth/switch/([^/]+))", ctx.open([&ctx](const httplib::Request& req) {
    const std::string user_id = user_from_refresh(ctx, req);
    if (req.matches[1].str() != kGroupId) fail(403, "Unknown group");
    return json_reply(make_tokens(ctx, user_id, true));
  }));
  http.Post("/rest/v2/auth/invalidate", ctx.open([](const httplib::Request&) { return json_reply(json::object()); }));

  http.Get("/rest/v2/user/current",
           ctx.authed([](const httplib::Request&, Caller& c) { return json_reply(user_view(c.user)); }));
  http.Get("/rest/v2/user/matches", ctx.authed([](const httplib::Request&, Caller& c) {
    json m = {{"groupId", kGroupId}, {"groupName", kGroupId}, {"userId", c.user_id}, {"login", string_field(c.user, "login")}};
    for (const auto& k : kDataOwnerKinds) {
      const std::string id = string_field(c.user, k.user_field);
      if (!id.empty()) m[k.user_field] = id;
    }
    return json_reply(json::array({m}));
  }));
}

}  // namespace devserver
