// /rest/v2/contact/service: Services, the entries of Contacts, read on their own (kraken-common's
// ContactController and ContactLogicImpl.getServices). A service is answered "pimped" with its
// contact's information: contactId, the contact's secret and crypted foreign keys, delegations,
// encryption keys and securityMetadata (its content stays encrypted with the contact's key), the
// health elements / forms / plans of action / sub-contacts that link it. Only services of contacts
// the caller can read are answered (kraken-lite's logic checks nothing here; the devserver applies
// the access rule of contacts); of a service held by several contacts (its versions), the one
// modified last.
#include <algorithm>
#include <map>
#include <set>

#include "filters.hpp"
#include "routes.hpp"

namespace devserver {

namespace {

bool deleted(const json& doc) { return doc.contains("deletionDate") && !doc["deletionDate"].is_null(); }

std::optional<std::int64_t> modified_of(const json& service) {
  const auto m = service.find("modified");
  if (m == service.end() || !m->is_number_integer()) return std::nullopt;
  return m->get<std::int64_t>();
}

const json* service_in(const json& contact, const std::string& sid) {
  const auto services = contact.find("services");
  if (services == contact.end() || !services->is_array()) return nullptr;
  for (const auto& s : *services) {
    if (s.is_object() && string_field(s, "id") == sid) return &s;
  }
  return nullptr;
}

// The service with its contact's information (Service.pimpWithContactInformation).
json pimped(const json& service, const json& contact) {
  json out = service;
  const std::string sid = string_field(service, "id");
  out["contactId"] = contact.value("id", "");
  for (const char* f : {"secretForeignKeys", "cryptedForeignKeys", "delegations", "encryptionKeys", "securityMetadata"}) {
    if (contact.contains(f)) out[f] = contact[f];
  }
  json sub_contacts = json::array(), plans = json::array(), health_elements = json::array(), forms = json::array();
  if (const auto scs = contact.find("subContacts"); scs != contact.end() && scs->is_array()) {
    for (const auto& sc : *scs) {
      if (!sc.is_object() || !sc.contains("services") || !sc["services"].is_array()) continue;
      const bool links = std::any_of(sc["services"].begin(), sc["services"].end(),
                                     [&](const json& l) { return l.is_object() && string_field(l, "serviceId") == sid; });
      if (!links) continue;
      auto add = [&](json& list, const char* field) {
        if (sc.contains(field) && sc[field].is_string()) list.push_back(sc[field]);
      };
      add(sub_contacts, "id");
      add(plans, "planOfActionId");
      add(health_elements, "healthElementId");
      add(forms, "formId");
    }
  }
  out["subContactIds"] = std::move(sub_contacts);
  out["plansOfActionIds"] = std::move(plans);
  out["healthElementsIds"] = std::move(health_elements);
  out["formIds"] = std::move(forms);
  for (const char* f : {"author", "responsible"}) {
    if ((!out.contains(f) || out[f].is_null()) && contact.contains(f)) out[f] = contact[f];
  }
  return out;
}

// The readable services of `ids`, in the order asked, each once.
json services_by_ids(Db& db, const std::vector<std::string>& ids, const Caller& c) {
  std::map<std::string, std::pair<json, std::optional<std::int64_t>>> best;  // sid → (service, modified)
  std::map<std::string, std::optional<json>> contacts;                         // readable ones, by id
  for (const auto& [sid, cid] : db.contacts_of_services(ids)) {
    auto it = contacts.find(cid);
    if (it == contacts.end()) {
      auto doc = db.get(table::kContacts, cid);
      if (doc && (deleted(*doc) || !access_to(*doc, c, false).read)) doc.reset();
      it = contacts.emplace(cid, std::move(doc)).first;
    }
    if (!it->second) continue;
    const json* service = service_in(*it->second, sid);
    if (service == nullptr) continue;
    const auto modified = modified_of(*service);
    auto found = best.find(sid);
    if (found == best.end() || !found->second.second || (modified && *modified > *found->second.second)) {
      best[sid] = {pimped(*service, *it->second), modified};
    }
  }
  json out = json::array();
  std::set<std::string> sent;
  for (const auto& id : ids) {
    auto it = best.find(id);
    if (it != best.end() && sent.insert(id).second) out.push_back(it->second.first);
  }
  return out;
}

}  // namespace

void register_service_routes(Context& ctx) {
  Db* db = &ctx.db;
  ctx.http.Post("/rest/v2/contact/service/match", ctx.authed([db](const httplib::Request& req, Caller& c) {
    return json_reply(json(match_ids(*db, kServiceKind, parse_object_body(req), c)));
  }));
  ctx.http.Post("/rest/v2/contact/service", ctx.authed([db](const httplib::Request& req, Caller& c) {
    return json_reply(services_by_ids(*db, list_of_ids(req, false), c));
  }));
  ctx.http.Get("/rest/v2/contact/service/([^/]+)", ctx.authed([db](const httplib::Request& req, Caller& c) {
    json found = services_by_ids(*db, {req.matches[1].str()}, c);
    if (found.empty()) fail(404, "Service with id " + req.matches[1].str() + " not found.");
    return json_reply(found.front());
  }));
}

}  // namespace devserver
