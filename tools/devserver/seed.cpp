// The --seed file: users and their data owners, created when missing (README "Seed file").
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "routes.hpp"
#include "util.hpp"

namespace devserver {

namespace {

json read_seed(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read seed file " + path);
  std::stringstream text;
  text << in.rdbuf();
  if (!json_depth_within(text.str(), kMaxJsonDepth)) throw std::runtime_error("seed file nested too deeply");
  json seed = json::parse(text.str(), nullptr, false);
  if (seed.is_discarded() || !seed.is_object()) throw std::runtime_error("seed file is not a JSON object");
  const auto users = seed.find("users");
  if (users == seed.end() || !users->is_array()) throw std::runtime_error("seed file needs a 'users' array");
  return *users;
}

// Creates the data owner of a seed user unless it exists; sets the user's data owner field.
void seed_data_owner(Db& db, const json& dox, json& user) {
  if (!dox.is_object()) fail(400, "dataOwner must be an object");
  const std::string type = require_string(dox, "type");
  const DataOwnerKind* kind = kind_for_type(type);
  if (kind == nullptr) fail(400, "dataOwner.type must be hcp, patient or device");
  const std::string id = require_string(dox, "id");
  if (!valid_entity_id(id)) fail(400, "invalid data owner id " + id);
  if (!db.exists(kind->table, id)) {
    json doc = dox;
    doc.erase("type");
    doc["rev"] = next_rev(json::object());
    db.insert(kind->table, id, doc);
  }
  user[kind->user_field] = id;
}

void seed_user(Db& db, const json& u) {
  if (!u.is_object()) fail(400, "each seed user must be an object");
  const std::string login = require_string(u, "login");
  const std::string password = require_string(u, "password");
  if (!db.find_by(table::kUsers, "$.login", login).empty()) return;  // already seeded
  const std::string user_id = optional_string(u, "id").value_or("user-" + login);
  json user = {{"id", user_id}, {"rev", next_rev(json::object())}, {"login", login}, {"passwordHash", password_hash(password)}};
  if (auto name = optional_string(u, "name")) user["name"] = *name;
  const auto dox = u.find("dataOwner");
  if (dox != u.end() && !dox->is_null()) seed_data_owner(db, *dox, user);
  db.insert(table::kUsers, user_id, user);
}

}  // namespace

void load_seed(Context& ctx) {
  const json users = read_seed(ctx.options.seed_path);
  try {
    ctx.db.transaction([&] {
      for (const auto& u : users) seed_user(ctx.db, u);
    });
  } catch (const HttpError& e) {
    throw std::runtime_error(std::string("invalid seed: ") + e.what());
  }
}

}  // namespace devserver
