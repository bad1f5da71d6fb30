// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore::share_all_data_of_patient: the patient, then its HealthElements, Contacts and Documents
// that this user finds (the query engine's "by patients for self" filters, with the patient's
// secret ids this user reads), shared through share_entities in batches. An entity the server
// matched but whose owning patient, as this user decrypts it, is not this patient is reported and
// not shared: the match runs on clear secret foreign keys, which the server could point anywhere.
#include "api/share_plan.hpp"

#include <cardinal/sdk/filters.hpp>

#include "api/entity_json.hpp"

#include <algorithm>

namespace cardinal::api {

namespace {

// Entities fetched and shared per request (the official SDK pages byIds by 100 too).
constexpr std::size_t kPatientDataBatch = 100;

struct DataType {
  std::string_view type;
  std::shared_ptr<const detail::FilterSpec> filter;
};

}  // namespace

Result<PatientShareResult> SdkCore::share_all_data_of_patient(const std::string& patient_id,
                                                              const ShareDelegates& delegates) {
  if (patient_id.empty()) return Error{ErrorCode::kInvalidArgument, "share_all_data_of_patient needs a patient id"};
  if (delegates.empty()) return Error{ErrorCode::kInvalidArgument, "no delegate to share patient " + patient_id + " with"};
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
    auto owners = owning_entity_ids(type, it->second);
    if (!owners.ok()) {
      results[first + i] = Error{owners.error().code(), "cannot share " + what(type, ids[i]) + ": " + owners.error().message()};
      continue;
    }
    if (std::find(owners->ids.begin(), owners->ids.end(), patient_id) == owners->ids.end()) {
      Error e{owners->ids.empty() ? ErrorCode::kKeyNotAvailable : ErrorCode::kTamperDetected,
              what(type, ids[i]) + " was matched for patient " + patient_id + " but " +
                  (owners->ids.empty() ? std::string("this user reads no patient id in it")
                                       : std::string("it belongs to another patient")) +
                  ": not shared (share it with share_many if it is this patient's)"};
      if (!owners->ids.empty()) warn(type, ids[i], e);
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
