// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore's queries: filter resolution with this user's keys, the match request, and the owning
// entity ids of an entity.

#include "api/sdk_core.hpp"

#include <map>

namespace cardinal::api {

Result<MatchAnswer> SdkCore::match(std::string_view type, const std::shared_ptr<const detail::FilterSpec>& filter,
                                   const QueryLimits& limits) {
  FilterContext context;
  context.self_id = self_.id;
  context.patient_secret_ids = [this](const Json& patient) -> Result<std::vector<std::string>> {
    auto access = open_access(patient, "Patient");
    if (!access.ok()) {
      if (access.error().code() == ErrorCode::kKeyNotAvailable) return std::vector<std::string>{};
      return access.error();
    }
    const auto& ids = access->secret_ids_to_share();
    return std::vector<std::string>(ids.begin(), ids.end());
  };
  CARDINAL_ASSIGN_OR_RETURN(auto resolved, resolve_filter(filter, type, context));
  if (!resolved.body) {
    Json ids = Json::array();
    for (auto& id : resolved.local_ids) ids.push_back(std::move(id));
    return read_match_answer(ids, type, limits);
  }
  // An anonymous data owner is matched through the access control keys of the exchange data it
  // knows: shares made since they were loaded would be silently missing, so they are reloaded.
  if (self_anonymous_) CARDINAL_RETURN_IF_ERROR(exchange_data_->load_all());
  CARDINAL_ASSIGN_OR_RETURN(Json answer, type == "Service"
                                             ? options_.backend->match_services(*resolved.body, request_keys(type))
                                             : options_.backend->match_entities(type, *resolved.body, request_keys(type)));
  CARDINAL_ASSIGN_OR_RETURN(auto match, read_match_answer(answer, type, limits));
  for (const auto& issue : match.issues) warn(type, issue.entity_id, issue.error);
  return match;
}

QueryCallbacks<DecryptedEntity> SdkCore::query_callbacks(std::string_view type) {
  const std::string t(type);
  return QueryCallbacks<DecryptedEntity>{
      [this, t](const std::vector<std::string>& ids) {
        if (t == "Service") return options_.backend->get_services(ids, request_keys(t));
        return options_.backend->get_entities(t, ids, request_keys(t));
      },
      [this, t](const Json& entity) { return decrypt(t, entity); },
      [this, t](const QueryIssue& issue) { warn(t, issue.entity_id, issue.error); }};
}

Result<BulkResult<DecryptedEntity>> SdkCore::get_services(const std::vector<std::string>& ids) {
  const std::string type = "Service";
  const auto asked = unique_in_order(ids);
  BulkResult<DecryptedEntity> out;
  if (asked.empty()) return out;
  CARDINAL_ASSIGN_OR_RETURN(Json answer, options_.backend->get_services(asked, request_keys(type)));
  CARDINAL_ASSIGN_OR_RETURN(auto page, read_page_answer(answer, type, asked, QueryLimits{}));
  std::map<std::string, Error> missing;
  for (auto& issue : page.issues) {
    if (is_tampering(issue.kind)) {
      warn(type, issue.entity_id, issue.error);
    } else if (issue.kind == QueryIssueKind::kNotReturned) {
      missing.emplace(issue.entity_id, issue.error);
    }
  }
  std::size_t next = 0;  // page.entities are the returned ones, in the order asked
  out.reserve(asked.size());
  for (const auto& id : asked) {
    if (auto m = missing.find(id); m != missing.end()) {
      out.emplace_back(m->second);
    } else {
      out.push_back(decrypt(type, page.entities[next++]));
    }
  }
  return out;
}

Result<SdkCore::OwningIds> SdkCore::owning_entity_ids(std::string_view type, const Json& entity) {
  CARDINAL_ASSIGN_OR_RETURN(auto access, open_access(entity, type));
  OwningIds out;
  out.verified = access.any_verified;
  const auto& ids = access.owning_ids_to_share();
  out.ids.assign(ids.begin(), ids.end());
  if (access.any_verified && access.owning_entity_ids != access.verified_owning_entity_ids) {
    std::string w = std::string(type) + " " + string_member(entity, "id") +
                    " carries owning-entity ids that came only through unverified exchange data: ignored";
    warn(type, string_member(entity, "id"), Error{ErrorCode::kTamperDetected, w});
    out.warnings.push_back(std::move(w));
  }
  return out;
}

namespace {

// Failures that belong to the entity (it does not open for this user, or fails its checks), as
// opposed to failures to reach the server.
bool is_entity_failure(ErrorCode code) {
  switch (code) {
    case ErrorCode::kDecryptionFailed:
    case ErrorCode::kVerificationFailed:
    case ErrorCode::kTamperDetected:
    case ErrorCode::kKeyNotAvailable:
    case ErrorCode::kNoVerifiedKey:
    case ErrorCode::kMalformedInput:
    case ErrorCode::kUnsupported:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<SdkCore::TryDecrypted> SdkCore::try_decrypt(std::string_view type, const Json& encrypted) {
  auto d = decrypt(type, encrypted);
  if (d.ok()) return TryDecrypted{std::move(d).value(), true, std::nullopt};
  if (!is_entity_failure(d.error().code())) return d.error();
  TryDecrypted out;
  out.value.entity = encrypted;  // as given: nothing that failed the checks is returned in clear
  out.value.warnings.push_back(d.error().message());
  out.error = d.error();
  return out;
}

}  // namespace cardinal::api
