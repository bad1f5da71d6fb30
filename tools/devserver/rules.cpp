#include "rules.hpp"

#include <functional>
#include <map>

#include "util.hpp"

namespace devserver {

std::string require_string(const json& obj, const char* field) {
  const auto it = obj.find(field);
  if (it == obj.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    fail(400, std::string("Field '") + field + "' must be a non-empty string");
  }
  return it->get<std::string>();
}

std::optional<std::string> optional_string(const json& obj, const char* field) {
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) fail(400, std::string("Field '") + field + "' must be a string");
  return it->get<std::string>();
}

std::vector<std::string> string_array(const json& obj, const char* field, bool required) {
  std::vector<std::string> out;
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) {
    if (required) fail(400, std::string("Field '") + field + "' is required");
    return out;
  }
  if (!it->is_array()) fail(400, std::string("Field '") + field + "' must be an array of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) fail(400, std::string("Field '") + field + "' must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

void require_string_map(const json& obj, const char* field, bool non_empty) {
  const auto it = obj.find(field);
  if (it == obj.end() || !it->is_object() || (non_empty && it->empty())) {
    fail(400, std::string("Field '") + field + "' must be a non-empty object");
  }
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) fail(400, std::string("Values of '") + field + "' must be strings");
  }
}

bool valid_entity_id(const std::string& id) {
  if (id.empty() || id.size() > 512) return false;
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f || c == '/' || c == '\\' || c == '?' || c == '#' || c == '%' || c == ';') return false;
  }
  return true;
}

std::string next_rev(const json& doc) {
  std::int64_t generation = 0;
  const auto it = doc.find("rev");
  if (it != doc.end() && it->is_string()) {
    const auto& rev = it->get_ref<const std::string&>();
    const auto dash = rev.find('-');
    try {
      generation = std::stoll(rev.substr(0, dash));
    } catch (const std::exception&) {
      generation = 0;
    }
  }
  return std::to_string(generation + 1) + "-" + random_hex(16);
}

std::string rev_of(const json& doc) {
  const auto it = doc.find("rev");
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const DataOwnerKind* kind_for_type(const std::string& type) {
  for (const auto& k : kDataOwnerKinds) {
    if (type == k.type) return &k;
  }
  return nullptr;
}

json stub_of(const json& doc) {
  json stub = json::object();
  for (const char* f : {"id", "rev", "deletionDate", "tags", "publicKey", "hcPartyKeys", "aesExchangeKeys",
                        "transferKeys", "privateKeyShamirPartitions", "publicKeysForOaepWithSha256", "parentId",
                        "cryptoActorProperties"}) {
    const auto it = doc.find(f);
    if (it != doc.end() && !it->is_null()) stub[f] = *it;
  }
  if (!stub.contains("publicKeysForOaepWithSha256")) stub["publicKeysForOaepWithSha256"] = json::array();
  return stub;
}

const json& secure_delegations_of(const json& entity) {
  static const json kEmpty = json::object();
  const auto sm = entity.find("securityMetadata");
  if (sm == entity.end() || !sm->is_object()) return kEmpty;
  const auto sd = sm->find("secureDelegations");
  if (sd == sm->end() || !sd->is_object()) return kEmpty;
  return *sd;
}

std::string string_field(const json& obj, const char* field) {
  if (!obj.is_object()) return {};
  const auto it = obj.find(field);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Access access_to(const json& entity, const Caller& caller, bool is_patient) {
  Access a;
  // Legacy delegations: the delegate key or the owner in the caller's hierarchy gives WRITE.
  const auto legacy = entity.find("delegations");
  if (legacy != entity.end() && legacy->is_object()) {
    for (const auto& [delegate, list] : legacy->items()) {
      bool hit = caller.in_hierarchy(delegate);
      if (list.is_array()) {
        for (const auto& d : list) hit = hit || caller.in_hierarchy(string_field(d, "owner"));
      }
      if (hit) a.read = a.write = true;
    }
  }
  if (is_patient && caller.in_hierarchy(string_field(entity, "id"))) a.read = a.write = true;
  for (const auto& [key, d] : secure_delegations_of(entity).items()) {
    if (caller.ack_hashes.count(key) != 0 || caller.in_hierarchy(string_field(d, "delegate")) ||
        caller.in_hierarchy(string_field(d, "delegator"))) {
      a.usable.insert(key);
      a.read = true;
      if (string_field(d, "permissions") == "WRITE") a.write = true;
    }
  }
  return a;
}

// Validates securityMetadata (non-empty, well-formed delegations, parents exist, acyclic, roots WRITE).
void validate_security_metadata(const json& entity) {
  const auto sm = entity.find("securityMetadata");
  if (sm == entity.end() || !sm->is_object()) fail(400, "securityMetadata is required");
  for (const auto& [k, v] : sm->items()) {
    if (k != "secureDelegations" && k != "keysEquivalences") fail(400, "Unknown securityMetadata field " + k);
    (void)v;
  }
  const auto sd = sm->find("secureDelegations");
  if (sd == sm->end() || !sd->is_object() || sd->empty()) fail(400, "securityMetadata.secureDelegations must not be empty");
  std::map<std::string, std::vector<std::string>> parents;
  for (const auto& [key, d] : sd->items()) {
    if (!is_lower_hex(key, 64)) fail(400, "Secure delegation keys must be 64 lowercase hex characters");
    if (!d.is_object()) fail(400, "A secure delegation must be an object");
    for (const auto& [f, v] : d.items()) {
      static const std::set<std::string> known = {"delegator", "delegate", "secretIds", "encryptionKeys",
                                                  "owningEntityIds", "parentDelegations", "exchangeDataId",
                                                  "permissions"};
      if (known.count(f) == 0) fail(400, "Unknown secure delegation field " + f);
      (void)v;
    }
    const auto delegator = optional_string(d, "delegator");
    const auto delegate = optional_string(d, "delegate");
    const auto xd = optional_string(d, "exchangeDataId");
    string_array(d, "secretIds");
    string_array(d, "encryptionKeys");
    string_array(d, "owningEntityIds");
    const auto p = string_array(d, "parentDelegations");
    const std::string perm = string_field(d, "permissions");
    if (perm != "READ" && perm != "WRITE") fail(400, "permissions must be READ or WRITE");
    if (delegator && delegate) {
      if (!xd || xd->empty()) fail(400, "A delegation between explicit data owners needs an exchangeDataId");
    } else if (xd) {
      fail(400, "exchangeDataId is only allowed when delegator and delegate are both explicit");
    }
    if (p.empty() && perm != "WRITE") fail(400, "A root delegation must have WRITE permissions");
    for (const auto& parent : p) {
      if (!sd->contains(parent) || parent == key) fail(400, "parentDelegations must name other delegations of the entity");
    }
    parents[key] = p;
  }
  // Acyclic: iterative DFS with colours.
  std::map<std::string, int> colour;
  std::function<void(const std::string&)> visit = [&](const std::string& k) {
    colour[k] = 1;
    for (const auto& p : parents[k]) {
      if (colour[p] == 1) fail(400, "Cycle in parentDelegations");
      if (colour[p] == 0) visit(p);
    }
    colour[k] = 2;
  };
  for (const auto& [k, p] : parents) {
    if (colour[k] == 0) visit(k);
  }
}

// All delegation keys reachable from `start` through parentDelegations (excluding start).
std::set<std::string> ancestors_of(const json& delegations, const std::string& start) {
  std::set<std::string> seen;
  std::vector<std::string> todo{start};
  while (!todo.empty()) {
    const std::string k = todo.back();
    todo.pop_back();
    const auto it = delegations.find(k);
    if (it == delegations.end()) continue;
    const auto p = it->find("parentDelegations");
    if (p == it->end() || !p->is_array()) continue;
    for (const auto& v : *p) {
      if (v.is_string() && seen.insert(v.get<std::string>()).second) todo.push_back(v.get<std::string>());
    }
  }
  return seen;
}

}  // namespace devserver
