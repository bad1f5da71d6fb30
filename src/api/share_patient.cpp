// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore::share_all_data_of_patient: the patient, then its HealthElements, Contacts and Documents
// that this user finds (the query engine's "by patients for self" filters, with the patient's
// secret ids this user reads), shared through share_entities in batches. An entity the server
// matched but whose owning patient, as this user decrypts it, is not this patient is reported and
// not shared: the match runs on clear secret foreign keys, which the server could point anywhere.
// Without verified access, the patient is read only in the delegation that brings the key opening
// the content (ids of other delegations could be forged next to it).
#include "api/share_plan.hpp"

#include <cardinal/sdk/filters.hpp>

#include "api/entity_json.hpp"
#include "engine/json_encryption.hpp"

#include <algorithm>
#include <set>

namespace cardinal::api {

namespace {

// Entities fetched and shared per request (the official SDK pages byIds by 100 too).
constexpr std::size_t kPatientDataBatch = 100;

// The owning-entity ids of `entity` that tell its patient: those of verified delegations when
// there are any; otherwise only those that came with an entity key that opens its content (a
// delegation without the key, or with another key, could be the server's: its ids prove nothing).
std::set<std::string> patient_ids_of(const engine::EntityAccess& access, const Json& entity) {
  if (access.any_verified) return access.verified_owning_entity_ids;
  std::set<std::string> out;
  const auto es = entity.find("encryptedSelf");
  const bool has_content = es != entity.end() && es->is_string();
  for (const auto& k : access.keys) {
    if (has_content && !engine::decrypt_json(Json{{"encryptedSelf", *es}}, {&k.key}).ok()) continue;
    out.insert(k.owning_entity_ids.begin(), k.owning_entity_ids.end());
  }
  return out;
}

struct DataType {
  std::string_view type;
  std::shared_ptr<const detail::FilterSpec> filter;
};

}  // namespace

Result<PatientShareResult> SdkCore::share_all_data_of_patient(const std::string& patient_id,
                                                              const ShareDelegates& delegates) {
  if (patient_id.empty()) return Error{ErrorCode::kInvalidArgument, "share_all_data_of_patient needs a patient id"};
  if (delegates.empty()) return Error{ErrorCode::kInvalidArgument, "no delegate to share patient " + patient_id + " with"};
  if (delegates.count(self_.id) != 0) {
    return Error{ErrorCode::kInvalidArgument, "share_all_data_of_patient of patient " + patient_id +
                                                  " names the current data owner " + self_.id +
                                                  " as a delegate: leave it out (accept_shared_key takes a key "
                                                  "shared with you as your own, one entity at a time)"};
  }
  for (const auto& [delegate, options] : delegates) {
    if (options.share_secret_ids.is_exact() && !options.share_secret_ids.ids().empty()) {
      return Error{ErrorCode::kInvalidArgument,
                   "share_secret_ids of " + delegate + " names secret ids of one entity: sharing all data of patient " +
                       patient_id + " takes all_available() or none() (share_many chooses them per entity)"};
    }
  }
  CARDINAL_ASSIGN_OR_RETURN(Json patient, fetch("Patient", patient_id));
  std::set<std::string> delegate_ids;
  for (const auto& [delegate, options] : delegates) delegate_ids.insert(delegate);
  CARDINAL_ASSIGN_OR_RETURN(const ShareDelegateMap known, share_delegates(delegate_ids));

  PatientShareResult out;
  {
    std::vector<EntityToShare> one{EntityToShare{patient, delegates}};
    CARDINAL_ASSIGN_OR_RETURN(auto shared, share_entities("Patient", one, &known));
    out.patient = std::move(shared.front());
  }
  const std::vector<Json> patients{patient};
  const std::vector<DataType> types = {
      {HealthElementKind::kEntityType, HealthElementFilters::by_patients_for_self(patients).spec()},
      {ContactKind::kEntityType, ContactFilters::by_patients_for_self(patients).spec()},
      {DocumentKind::kEntityType, DocumentFilters::by_patients_created_for_self(patients).spec()},
  };
  for (const auto& t : types) {
    PatientDataShare data;
    data.entity_type = std::string(t.type);
    auto found = match(t.type, t.filter);
    if (!found.ok()) {
      data.search = Error{found.error().code(), "the " + data.entity_type + " entities of patient " + patient_id +
                                                    " could not be listed: " + found.error().message()};
      out.data.push_back(std::move(data));
      continue;
    }
    data.ids = std::move(found->ids);
    data.results.reserve(data.ids.size());
    for (std::size_t from = 0; from < data.ids.size(); from += kPatientDataBatch) {
      const std::vector<std::string> batch(data.ids.begin() + static_cast<std::ptrdiff_t>(from),
                                           data.ids.begin() + static_cast<std::ptrdiff_t>(
                                                                  std::min(data.ids.size(), from + kPatientDataBatch)));
      share_patient_batch(t.type, patient_id, batch, delegates, known, data.results);
    }
    out.data.push_back(std::move(data));
  }
  return out;
}

void SdkCore::share_patient_batch(std::string_view type, const std::string& patient_id,
                                  const std::vector<std::string>& ids, const ShareDelegates& delegates,
                                  const ShareDelegateMap& known, BulkResult<EntityShareResult>& results) {
  const std::size_t first = results.size();
  results.resize(first + ids.size(), Error{ErrorCode::kInternal, "not shared"});
  auto fetched = fetch_many(type, ids);
  if (!fetched.ok()) {
    for (std::size_t i = 0; i < ids.size(); ++i) results[first + i] = fetched.error();
    return;
  }
  std::vector<EntityToShare> to_share;
  std::vector<std::size_t> index;  // of each entity to share in `results`
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto it = fetched->find(ids[i]);
    if (it == fetched->end()) {
      results[first + i] = Error{ErrorCode::kNotFound, what(type, ids[i]) + " was matched for patient " + patient_id +
                                                           " but the server did not return it: not shared"};
      continue;
    }
    // Its patient as this user decrypts it must be this one (the match is the server's word).
    auto access = open_access(it->second, type);
    if (!access.ok()) {
      results[first + i] = Error{access.error().code(), "cannot share " + what(type, ids[i]) + ": " + access.error().message()};
      continue;
    }
    const std::set<std::string> owners = patient_ids_of(*access, it->second);
    if (!access->any_verified && owners.size() > 1) {
      Error e{ErrorCode::kTamperDetected,
              what(type, ids[i]) + " was matched for patient " + patient_id + " but the delegation that gives this user "
                  "its key names " + std::to_string(owners.size()) +
                  " owning entities (" + access->unverified_sources() +
                  "): which is its patient cannot be told, so it is not shared (share it with share_many if it is this "
                  "patient's)"};
      warn(type, ids[i], e);
      results[first + i] = std::move(e);
      continue;
    }
    if (owners.count(patient_id) == 0) {
      Error e{owners.empty() ? ErrorCode::kKeyNotAvailable : ErrorCode::kTamperDetected,
              what(type, ids[i]) + " was matched for patient " + patient_id + " but " +
                  (owners.empty() ? std::string("this user reads no patient id in it that comes with its key")
                                  : std::string("it belongs to another patient")) +
                  ": not shared (share it with share_many if it is this patient's)"};
      if (!owners.empty()) warn(type, ids[i], e);
      results[first + i] = std::move(e);
      continue;
    }
    to_share.push_back(EntityToShare{std::move(it->second), delegates});
    index.push_back(first + i);
  }
  if (to_share.empty()) return;
  auto shared = share_entities(type, to_share, &known);
  for (std::size_t k = 0; k < index.size(); ++k) {
    results[index[k]] = shared.ok() ? std::move((*shared)[k]) : Result<EntityShareResult>(shared.error());
  }
}

}  // namespace cardinal::api
