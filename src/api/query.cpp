// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/query.hpp"

#include <map>
#include <set>

namespace cardinal::api {

namespace {

std::string shown(std::string id, const QueryLimits& limits) {
  if (id.size() > limits.max_id_length) {
    id.resize(limits.max_id_length);
    id += "…";
  }
  return id;
}

// The problem with an id of an answer, if any.
std::optional<std::string> bad_id(const Json& value, const QueryLimits& limits) {
  if (!value.is_string()) return std::string("an id that is not a string (") + value.type_name() + ")";
  const auto& s = value.get_ref<const std::string&>();
  if (s.empty()) return std::string("an empty id");
  if (s.size() > limits.max_id_length) {
    return "an id of " + std::to_string(s.size()) + " bytes (more than QueryLimits::max_id_length = " +
           std::to_string(limits.max_id_length) + ")";
  }
  return std::nullopt;
}

// Unexpected entities of one page answer reported one by one up to this many, then summed up.
constexpr std::size_t kMaxReportedPerKind = 100;

}  // namespace

bool is_tampering(QueryIssueKind kind) {
  return kind == QueryIssueKind::kUnexpected || kind == QueryIssueKind::kDuplicate ||
         kind == QueryIssueKind::kMalformed;
}

Result<MatchAnswer> read_match_answer(const Json& answer, std::string_view type, const QueryLimits& limits) {
  const std::string what = "the match answer for " + std::string(type) + " entities";
  if (!answer.is_array()) {
    return Error{ErrorCode::kMalformedResponse, what + " is not a list of ids (" + answer.type_name() + ")"};
  }
  if (answer.size() > limits.max_ids) {
    return Error{ErrorCode::kMalformedResponse,
                 what + " lists " + std::to_string(answer.size()) + " ids, more than QueryLimits::max_ids = " +
                     std::to_string(limits.max_ids) + ": narrow the filter (or raise the limit)"};
  }
  MatchAnswer out;
  out.ids.reserve(answer.size());
  std::set<std::string_view> seen;
  std::size_t malformed = 0;
  for (const Json& value : answer) {
    if (auto problem = bad_id(value, limits)) {
      if (++malformed <= kMaxReportedPerKind) {
        out.issues.push_back(QueryIssue{value.is_string() ? shown(value.get<std::string>(), limits) : std::string(),
                                        QueryIssueKind::kMalformed,
                                        Error{ErrorCode::kMalformedResponse, what + " holds " + *problem + ": dropped"}});
      }
      continue;
    }
    const auto& id = value.get_ref<const std::string&>();
    if (!seen.insert(id).second) {
      out.issues.push_back(QueryIssue{id, QueryIssueKind::kDuplicate,
                                      Error{ErrorCode::kTamperDetected,
                                            what + " lists " + id + " more than once: the copies were dropped"}});
      continue;
    }
    out.ids.push_back(id);
  }
  if (malformed > kMaxReportedPerKind) {
    out.issues.push_back(QueryIssue{"", QueryIssueKind::kMalformed,
                                    Error{ErrorCode::kMalformedResponse,
                                          what + " holds " + std::to_string(malformed) + " malformed ids in all"}});
  }
  return out;
}

Result<PageAnswer> read_page_answer(const Json& answer, std::string_view type, const std::vector<std::string>& asked,
                                    const QueryLimits& limits) {
  const std::string what = "the server's page of " + std::string(type) + " entities";
  if (!answer.is_array()) {
    return Error{ErrorCode::kMalformedResponse, what + " is not a list of entities (" + answer.type_name() + ")"};
  }
  std::map<std::string_view, const Json*> returned;
  for (const auto& id : asked) returned.emplace(id, nullptr);
  PageAnswer out;
  std::size_t unexpected = 0;
  std::size_t malformed = 0;
  auto add = [&](std::size_t& count, QueryIssue issue) {
    if (++count <= kMaxReportedPerKind) out.issues.push_back(std::move(issue));
  };
  for (const Json& entity : answer) {
    const Json* id_value = entity.is_object() && entity.contains("id") ? &entity["id"] : nullptr;
    if (id_value == nullptr || bad_id(*id_value, limits)) {
      add(malformed, QueryIssue{id_value && id_value->is_string() ? shown(id_value->get<std::string>(), limits) : "",
                                QueryIssueKind::kMalformed,
                                Error{ErrorCode::kMalformedResponse,
                                      what + " holds an element that is not an entity with a valid id: dropped"}});
      continue;
    }
    const auto& id = id_value->get_ref<const std::string&>();
    auto it = returned.find(id);
    if (it == returned.end()) {
      add(unexpected, QueryIssue{id, QueryIssueKind::kUnexpected,
                                 Error{ErrorCode::kTamperDetected,
                                       what + " holds " + id + ", which was not asked for: dropped"}});
      continue;
    }
    if (it->second != nullptr) {
      out.issues.push_back(QueryIssue{id, QueryIssueKind::kDuplicate,
                                      Error{ErrorCode::kTamperDetected,
                                            what + " holds " + id + " more than once: the first copy was kept"}});
      continue;
    }
    it->second = &entity;
  }
  for (std::size_t* count : {&unexpected, &malformed}) {
    if (*count > kMaxReportedPerKind) {
      const bool u = count == &unexpected;
      out.issues.push_back(QueryIssue{"", u ? QueryIssueKind::kUnexpected : QueryIssueKind::kMalformed,
                                      Error{u ? ErrorCode::kTamperDetected : ErrorCode::kMalformedResponse,
                                            what + " holds " + std::to_string(*count) +
                                                (u ? " entities not asked for" : " malformed elements") +
                                                " in all: dropped"}});
    }
  }
  for (const auto& id : asked) {
    const Json* entity = returned[id];
    if (entity != nullptr) {
      out.entities.push_back(*entity);
    } else {
      out.issues.push_back(QueryIssue{
          id, QueryIssueKind::kNotReturned,
          Error{ErrorCode::kNotFound, std::string(type) + " " + id +
                                          " was matched but not returned by the server (no access for this user, "
                                          "deleted since, or withheld)"}});
    }
  }
  return out;
}

}  // namespace cardinal::api
