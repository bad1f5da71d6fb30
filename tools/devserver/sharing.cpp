#include "sharing.hpp"

#include <algorithm>

#include "util.hpp"

namespace devserver {

void check_keys(const json& obj, const std::set<std::string>& allowed, const std::string& what) {
  if (!obj.is_object()) fail(400, what + " must be an object");
  for (const auto& [k, v] : obj.items()) {
    if (allowed.count(k) == 0) fail(400, "Unknown field '" + k + "' in " + what);
    (void)v;
  }
}

// Structural validation of one entity's requests (HTTP 400 for the whole call on failure).
std::vector<ShareRequest> parse_share_requests(const json& entity_requests) {
  check_keys(entity_requests, {"requests", "potentialParentDelegations"}, "entity requests");
  const auto reqs = entity_requests.find("requests");
  if (reqs == entity_requests.end() || !reqs->is_object()) fail(400, "requests must be an object");
  std::vector<ShareRequest> out;
  std::set<std::string> acks;
  int roots = 0;
  for (const auto& [request_id, r] : reqs->items()) {
    check_keys(r, {"share", "update"}, "request");
    const bool has_share = r.contains("share") && !r["share"].is_null();
    const bool has_update = r.contains("update") && !r["update"].is_null();
    if (has_share == has_update) fail(400, "Each request needs exactly one of share / update");
    ShareRequest sr;
    sr.request_id = request_id;
    sr.is_share = has_share;
    if (has_share) {
      const json& s = r["share"];
      check_keys(s, {"explicitDelegator", "explicitDelegate", "accessControlKeys", "secretIds", "encryptionKeys",
                     "owningEntityIds", "exchangeDataId", "encryptedExchangeDataId", "requestedPermissions"},
                 "share request");
      const auto keys = string_array(s, "accessControlKeys", true);
      if (keys.size() != 1) fail(400, "accessControlKeys must hold exactly one key");
      const auto ack = hex_decode(keys.front());
      if (!ack || ack->size() != 16) fail(400, "An access control key is 16 bytes in hex");
      if (!acks.insert(*ack).second) fail(400, "Two share requests with the same access control key");
      sr.sd_key = sha256_hex(*ack);
      string_array(s, "secretIds");
      string_array(s, "encryptionKeys");
      string_array(s, "owningEntityIds");
      const auto delegator = optional_string(s, "explicitDelegator");
      const auto delegate = optional_string(s, "explicitDelegate");
      const auto xd = optional_string(s, "exchangeDataId");
      const auto exid = s.find("encryptedExchangeDataId");
      bool has_exid = false;
      if (exid != s.end() && !exid->is_null()) {
        require_string_map(s, "encryptedExchangeDataId", false);
        has_exid = !exid->empty();
      }
      const int explicit_count = (delegator ? 1 : 0) + (delegate ? 1 : 0);
      if (explicit_count == 2 && (!xd || xd->empty() || has_exid)) {
        fail(400, "Explicit delegations need exchangeDataId and no encryptedExchangeDataId");
      }
      if (explicit_count == 1 && (xd || !has_exid)) {
        fail(400, "Half-anonymous delegations need encryptedExchangeDataId and no exchangeDataId");
      }
      if (explicit_count == 0 && (xd || has_exid)) fail(400, "Anonymous delegations carry no exchange data id");
      const std::string perm = optional_string(s, "requestedPermissions").value_or("MAX_WRITE");
      static const std::set<std::string> perms = {"MAX_READ", "FULL_READ", "MAX_WRITE", "FULL_WRITE", "ROOT"};
      if (perms.count(perm) == 0) fail(400, "Unknown requestedPermissions " + perm);
      if (perm == "ROOT" && ++roots > 1) fail(400, "At most one ROOT request per entity");
    } else {
      const json& u = r["update"];
      check_keys(u, {"metadataAccessControlHash", "secretIds", "encryptionKeys", "owningEntityIds"}, "update request");
      const std::string hash = require_string(u, "metadataAccessControlHash");
      if (!is_lower_hex(hash, 64)) fail(400, "metadataAccessControlHash must be 64 lowercase hex characters");
      bool any = false;
      for (const char* f : {"secretIds", "encryptionKeys", "owningEntityIds"}) {
        const auto it = u.find(f);
        if (it == u.end() || it->is_null()) continue;
        if (!it->is_object()) fail(400, std::string(f) + " must be an object");
        for (const auto& [entry, op] : it->items()) {
          if (!op.is_string() || (op != "CREATE" && op != "DELETE")) fail(400, "Entry operations are CREATE or DELETE");
          (void)entry;
          any = true;
        }
      }
      if (!any) fail(400, "An update request must change something");
    }
    sr.body = has_share ? r["share"] : r["update"];
    out.push_back(std::move(sr));
  }
  string_array(entity_requests, "potentialParentDelegations");
  return out;
}

json rejection(int code, const std::string& reason, bool retry) {
  json j = {{"code", code}, {"reason", reason}};
  if (retry) j["shouldRetry"] = true;
  return j;
}

ShareOutcome apply_share_requests(json& entity, const std::vector<ShareRequest>& requests, const json& entity_requests,
                                  const Access& access, const Caller& c) {
  ShareOutcome out;
  json& rejected = out.rejected;
  bool& applied_any = out.applied;
  auto& maps_to_merge = out.maps_to_merge;

  json& sm = entity["securityMetadata"];
  if (!sm.is_object()) sm = json::object();
  if (!sm.contains("secureDelegations") || !sm["secureDelegations"].is_object()) sm["secureDelegations"] = json::object();
  json& delegations = sm["secureDelegations"];

  // Valid parents: requested, present on the entity, and usable by the caller.
  std::set<std::string> valid_parents;
  bool max_parent_write = false;
  for (const auto& p : string_array(entity_requests, "potentialParentDelegations")) {
    if (delegations.contains(p) && access.usable.count(p) != 0) {
      valid_parents.insert(p);
      if (string_field(delegations[p], "permissions") == "WRITE") max_parent_write = true;
    }
  }
  std::vector<const ShareRequest*> pending;
  for (const auto& r : requests) {
    if (!r.is_share) continue;
    if (delegations.contains(r.sd_key)) {
      rejected[r.request_id] =
          rejection(400, "There is already a delegation for these hashes, consider modifying it instead");
      continue;
    }
    const auto delegator = optional_string(r.body, "explicitDelegator");
    if (delegator && !c.in_hierarchy(*delegator)) {
      rejected[r.request_id] = rejection(403, "explicitDelegator must be the current data owner");
      continue;
    }
    pending.push_back(&r);
  }
  auto make_delegation = [&](const ShareRequest& r, const std::string& perm, const std::set<std::string>& parents) {
    json d = json::object();
    if (auto v = optional_string(r.body, "explicitDelegator")) d["delegator"] = *v;
    if (auto v = optional_string(r.body, "explicitDelegate")) d["delegate"] = *v;
    for (const char* f : {"secretIds", "encryptionKeys", "owningEntityIds"}) {
      const auto it = r.body.find(f);
      d[f] = it != r.body.end() && it->is_array() ? *it : json::array();
    }
    if (!parents.empty()) d["parentDelegations"] = parents;
    if (auto v = optional_string(r.body, "exchangeDataId")) d["exchangeDataId"] = *v;
    d["permissions"] = perm;
    return d;
  };
  auto note_map = [&](const ShareRequest& r) {
    const auto exid = r.body.find("encryptedExchangeDataId");
    if (exid != r.body.end() && exid->is_object() && !exid->empty()) maps_to_merge.emplace_back(r.sd_key, *exid);
  };
  // ROOT first: no parents, WRITE; becomes a valid parent. Only for callers with write access.
  for (auto it = pending.begin(); it != pending.end();) {
    const ShareRequest& r = **it;
    if (optional_string(r.body, "requestedPermissions").value_or("MAX_WRITE") == "ROOT") {
      if (!access.write) {
        rejected[r.request_id] = rejection(403, "A ROOT delegation needs write access to the entity");
      } else {
        delegations[r.sd_key] = make_delegation(r, "WRITE", {});
        valid_parents.insert(r.sd_key);
        max_parent_write = true;
        applied_any = true;
        note_map(r);
      }
      it = pending.erase(it);
    } else {
      ++it;
    }
  }
  // Minimal parent set: drop members reachable from another member.
  std::set<std::string> minimal_parents;
  for (const auto& p : valid_parents) {
    bool reachable = false;
    for (const auto& q : valid_parents) {
      if (q != p && ancestors_of(delegations, q).count(p) != 0) reachable = true;
    }
    if (!reachable) minimal_parents.insert(p);
  }
  for (const ShareRequest* rp : pending) {
    const ShareRequest& r = *rp;
    if (valid_parents.empty()) {
      rejected[r.request_id] =
          rejection(400, "You must indicate valid potential parent delegations or create a new ROOT delegation");
      continue;
    }
    const std::string requested = optional_string(r.body, "requestedPermissions").value_or("MAX_WRITE");
    std::string perm = "READ";
    if (requested == "FULL_WRITE") {
      if (!max_parent_write) {
        rejected[r.request_id] = rejection(403, "FULL_WRITE needs a WRITE parent delegation");
        continue;
      }
      perm = "WRITE";
    } else if (requested == "MAX_WRITE") {
      perm = max_parent_write ? "WRITE" : "READ";
    }
    delegations[r.sd_key] = make_delegation(r, perm, minimal_parents);
    applied_any = true;
    note_map(r);
  }
  // Updates.
  for (const auto& r : requests) {
    if (r.is_share) continue;
    const std::string hash = r.body["metadataAccessControlHash"].get<std::string>();
    if (!delegations.contains(hash) || access.usable.count(hash) == 0) {
      rejected[r.request_id] = rejection(404, "Metadata " + hash + " does not exist on entity " + string_field(entity, "id"));
      continue;
    }
    json d = delegations[hash];
    bool ok = true;
    for (const char* f : {"secretIds", "encryptionKeys", "owningEntityIds"}) {
      const auto ops = r.body.find(f);
      if (ops == r.body.end() || ops->is_null()) continue;
      std::vector<std::string> values = string_array(d, f);
      for (const auto& [entry, op] : ops->items()) {
        const auto pos = std::find(values.begin(), values.end(), entry);
        if (op == "CREATE") {
          if (pos != values.end()) ok = false;
          else values.push_back(entry);
        } else {
          if (pos == values.end()) ok = false;
          else values.erase(pos);
        }
      }
      d[f] = values;
    }
    if (!ok) {
      rejected[r.request_id] = rejection(400, "Update requests can't create duplicate entries or delete non-existing entries");
      continue;
    }
    delegations[hash] = d;
    applied_any = true;
  }
  return out;
}

}  // namespace devserver
