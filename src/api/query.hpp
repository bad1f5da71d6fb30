// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The query engine behind `match` and `filter` (include/cardinal/sdk/query.hpp), over small
// callbacks so that it runs against any backend (tests use a memory one). It trusts nothing the
// server answers: the match answer is bounded and de-duplicated, and it drives the iteration (a
// page asks for the next ids of that list and keeps only what it asked for), so that the
// iteration ends whatever the server answers.

#include <cardinal/json.hpp>
#include <cardinal/sdk/query.hpp>

#include "api/facade_guard.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cardinal::api {

/// The ids of a match answer, and what was wrong with it.
struct MatchAnswer {
  std::vector<std::string> ids;   ///< de-duplicated, first occurrence kept
  std::vector<QueryIssue> issues;  ///< duplicates and malformed ids (dropped)
};

/// Reads a `POST …/match` answer: a JSON array of ids. Errors: kMalformedResponse (not an array,
/// or more than `limits.max_ids` elements). Non-string, empty or too long ids are dropped and
/// reported, as are repeated ids.
Result<MatchAnswer> read_match_answer(const Json& answer, std::string_view type, const QueryLimits& limits);

/// The entities of a page answer that were asked for, in the order asked.
struct PageAnswer {
  std::vector<Json> entities;
  std::vector<QueryIssue> issues;  ///< not returned, unexpected, repeated, malformed
};

/// Reads a `POST …/byIds` answer for `asked` (distinct ids). Errors: kMalformedResponse (not an
/// array). Entities not asked for, repeated or without a string id are dropped and reported; asked
/// ids without an entity are reported as kNotReturned.
Result<PageAnswer> read_page_answer(const Json& answer, std::string_view type, const std::vector<std::string>& asked,
                                    const QueryLimits& limits);

/// True for the issues that only a misbehaving server explains (reported as tampering).
bool is_tampering(QueryIssueKind kind);

/// What the pager needs for each page.
template <class T>
struct QueryCallbacks {
  /// `POST …/byIds` for these ids: the answer as received.
  std::function<Result<Json>(const std::vector<std::string>& ids)> fetch;
  /// Decrypts and checks one entity.
  std::function<Result<T>(const Json& entity)> decrypt;
  /// Told of every issue that is tampering (see `is_tampering`); may be empty.
  std::function<void(const QueryIssue&)> on_tamper;
};

/// Pages through the ids of one match answer.
template <class T>
class IdPager final : public PaginatedIterator<T>::Source {
 public:
  IdPager(std::string type, MatchAnswer match, QueryOptions options, QueryCallbacks<T> callbacks)
      : type_(std::move(type)), match_(std::move(match)), options_(options), callbacks_(std::move(callbacks)) {
    options_.page_size = std::clamp<std::size_t>(options_.page_size, 1, kMaxPageSize);
  }

  [[nodiscard]] bool has_next() const override { return next_ < match_.ids.size(); }
  [[nodiscard]] const std::vector<std::string>& ids() const override { return match_.ids; }
  [[nodiscard]] const std::vector<QueryIssue>& match_issues() const override { return match_.issues; }

  /// A page; an exception (a bug, or memory) becomes an error value (the iterator is public API).
  Result<Page<T>> next() override {
    return guarded({"filter page", type_, {}}, [this] { return next_page(); });
  }

  static constexpr std::size_t kMaxPageSize = 1000;

 private:
  Result<Page<T>> next_page() {
    Page<T> page;
    if (!has_next()) return page;
    const std::size_t end = std::min(match_.ids.size(), next_ + options_.page_size);
    std::vector<std::string> asked(match_.ids.begin() + static_cast<std::ptrdiff_t>(next_),
                                   match_.ids.begin() + static_cast<std::ptrdiff_t>(end));
    auto answer = callbacks_.fetch(asked);
    if (!answer.ok()) return answer.error();
    auto read = read_page_answer(*answer, type_, asked, options_.limits);
    if (!read.ok()) return read.error();
    next_ = end;  // only once the page was read: a failed request is retried by the next call
    for (auto& issue : read->issues) {
      if (is_tampering(issue.kind) && callbacks_.on_tamper) callbacks_.on_tamper(issue);
    }
    page.issues = std::move(read->issues);
    for (const Json& entity : read->entities) {
      auto decrypted = callbacks_.decrypt(entity);
      if (decrypted.ok()) {
        page.entities.push_back(std::move(decrypted).value());
      } else if (options_.on_undecryptable == UndecryptablePolicy::kReport) {
        page.issues.push_back(QueryIssue{string_member(entity, "id"), QueryIssueKind::kUndecryptable, decrypted.error()});
      }
    }
    return page;
  }

  std::string type_;
  MatchAnswer match_;
  QueryOptions options_;
  QueryCallbacks<T> callbacks_;
  std::size_t next_ = 0;
};

/// The iterator of `filter` over the ids of `match`.
template <class T>
PaginatedIterator<T> make_paginated(std::string type, MatchAnswer match, const QueryOptions& options,
                                    QueryCallbacks<T> callbacks) {
  return PaginatedIterator<T>(
      std::make_unique<IdPager<T>>(std::move(type), std::move(match), options, std::move(callbacks)));
}

}  // namespace cardinal::api
