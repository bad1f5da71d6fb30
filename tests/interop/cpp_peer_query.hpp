// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The query commands of cpp_peer (driven by cross_sdk.mjs):
//   cpp_peer ... query HealthElement by-patient <patientId>      (for self, the patient's secret ids)
//   cpp_peer ... query HealthElement by-tag <tagType> <tagCode>  (for self)
//   cpp_peer ... query Patient by-name <search>                  (for self)
//   cpp_peer ... query Patient by-ssin <ssin>                    (for self)
//   cpp_peer ... query Service by-patient <patientId>            (for self, the patient's secret ids)
// print {"ids": [...match...], "entities": [...decrypted...], "issues": [{"id", "kind", "message"}],
//        "warnings": [{"id", "warning"}] (the decrypted entities' warnings)}.

#include <cardinal/sdk/filters.hpp>

#include "api/sdk_core.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cardinal::testing {

inline Result<std::shared_ptr<const detail::FilterSpec>> peer_filter(api::SdkCore& sdk,
                                                                    const std::vector<std::string>& args) {
  const std::string& type = args[1];
  const std::string& how = args[2];
  if (type == "HealthElement" && how == "by-patient" && args.size() == 4) {
    CARDINAL_ASSIGN_OR_RETURN(auto patient, sdk.get("Patient", args[3]));
    return HealthElementFilters::by_patients_for_self({patient.entity}).spec();
  }
  if (type == "HealthElement" && how == "by-tag" && args.size() == 5) {
    return HealthElementFilters::by_tag_for_self(args[3], args[4]).spec();
  }
  if (type == "Service" && how == "by-patient" && args.size() == 4) {
    CARDINAL_ASSIGN_OR_RETURN(auto patient, sdk.get("Patient", args[3]));
    return ServiceFilters::by_patients_for_self({patient.entity}).spec();
  }
  if (type == "Patient" && how == "by-name" && args.size() == 4) return PatientFilters::by_name_for_self(args[3]).spec();
  if (type == "Patient" && how == "by-ssin" && args.size() == 4) return PatientFilters::by_ssins_for_self({args[3]}).spec();
  return Error{ErrorCode::kInvalidArgument, "unknown query " + type + " " + how};
}

inline const char* peer_issue_kind(QueryIssueKind k) {
  switch (k) {
    case QueryIssueKind::kNotReturned: return "NOT_RETURNED";
    case QueryIssueKind::kUndecryptable: return "UNDECRYPTABLE";
    case QueryIssueKind::kUnexpected: return "UNEXPECTED";
    case QueryIssueKind::kDuplicate: return "DUPLICATE";
    case QueryIssueKind::kMalformed: return "MALFORMED";
  }
  return "?";
}

/// Runs a `query` command (args[0] == "query"); nullopt for other commands.
inline std::optional<Result<Json>> run_query_command(api::SdkCore& sdk, const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "query") return std::nullopt;
  if (args.size() < 3) return Result<Json>(Error{ErrorCode::kInvalidArgument, "query <Type> <how> ..."});
  auto filter = peer_filter(sdk, args);
  if (!filter.ok()) return Result<Json>(filter.error());
  auto match = sdk.match(args[1], *filter);
  if (!match.ok()) return Result<Json>(match.error());
  Json out{{"ids", match->ids}, {"entities", Json::array()}, {"issues", Json::array()}, {"warnings", Json::array()}};
  auto it = api::make_paginated<DecryptedEntity>(
      args[1], std::move(match).value(), {.page_size = 2},
      sdk.query_callbacks(args[1]));
  while (it.has_next()) {
    auto page = it.next();
    if (!page.ok()) return Result<Json>(page.error());
    for (auto& d : page->entities) {
      for (const auto& w : d.warnings) out["warnings"].push_back(Json{{"id", d.entity.value("id", "")}, {"warning", w}});
      out["entities"].push_back(std::move(d.entity));
    }
    for (const auto& i : page->issues) {
      out["issues"].push_back(Json{{"id", i.entity_id}, {"kind", peer_issue_kind(i.kind)}, {"message", i.error.message()}});
    }
  }
  return Result<Json>(std::move(out));
}

}  // namespace cardinal::testing
