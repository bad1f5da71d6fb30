// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Query results: the paginated iterator of `filter`, its options, and what it reports about
/// entities it matched but does not return.
///
/// ```cpp
/// auto it = sdk->health_elements().filter(cardinal::HealthElementFilters::by_patients_for_self({patient.entity}),
///                                         {.page_size = 50});
/// while (it.ok() && it->has_next()) {
///   auto page = it->next();                    // one byIds request
///   if (!page.ok()) break;                     // transport error: next() retries the same page
///   for (auto& he : page->entities) show(he);
///   for (auto& issue : page->issues) log(issue.entity_id, issue.error.message());
/// }
/// ```
///
/// A query runs one `match` request (the ids of everything the filter selects, in the server's
/// order) and then one `byIds` request per page, lazily. The server is not trusted: the ids of the
/// match answer are de-duplicated (first occurrence kept) and bounded (`QueryLimits`); a page
/// keeps only the entities it asked for, in the match order; entities the server adds are dropped
/// and reported as tampering; asked ids it does not return are reported (no access, deleted, or
/// withheld). The iteration ends after the last matched id, whatever the server answers.
///
/// Thread safety: an iterator is used by one thread at a time (different iterators may run on
/// different threads). Ownership: the caller owns the iterator and the pages it returns; the
/// iterator refers to the `CardinalSdk` that created it, which must outlive it.

#include <cardinal/result.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace cardinal {

/// What the iterator does with a matched entity it cannot decrypt.
enum class UndecryptablePolicy {
  /// Leave it out and add a `QueryIssue` (kind kUndecryptable) with the error, in the page.
  kReport,
  /// Leave it out silently (tampering is still reported to `SdkOptions::on_tamper`).
  kSkip,
};

/// Bounds on what the server may answer to a query (bounded memory with a hostile server).
struct QueryLimits {
  /// A match answer with more ids is refused (kMalformedResponse): narrow the filter.
  std::size_t max_ids = 1'000'000;
  /// Longest entity id accepted in an answer (bytes); longer ones are dropped and reported.
  std::size_t max_id_length = 256;
};

/// Options of `filter`.
struct QueryOptions {
  /// Entities asked per `byIds` request (1 to 1000; 0 is taken as 1). The official SDK uses 100.
  std::size_t page_size = 100;
  /// What to do with entities that do not decrypt.
  UndecryptablePolicy on_undecryptable = UndecryptablePolicy::kReport;
  /// Bounds on the server's answers.
  QueryLimits limits{};
};

/// Why a matched entity is not among the results (or why the server's answer was changed).
enum class QueryIssueKind {
  kNotReturned,    ///< asked in a page, not in the answer: no access, deleted since the match, or withheld
  kUndecryptable,  ///< returned but could not be decrypted or failed its checks (`error` says which)
  kUnexpected,     ///< returned although not asked: dropped, reported as tampering
  kDuplicate,      ///< the server listed or returned the same id twice: the copy was dropped
  kMalformed,      ///< an id or an entity of the answer that is not well formed: dropped
};

/// One matched entity that is not returned, or one oddity of the server's answers.
struct QueryIssue {
  std::string entity_id;  ///< the id concerned (truncated to `QueryLimits::max_id_length` when longer; may be empty)
  QueryIssueKind kind = QueryIssueKind::kNotReturned;  ///< what happened
  Error error;                                         ///< details, naming the entity
};

/// One page of results.
template <class T>
struct Page {
  std::vector<T> entities;          ///< decrypted entities, in the match order
  std::vector<QueryIssue> issues;   ///< matched entities of this page that are not returned, and answer oddities
};

/// A lazily fetched sequence of pages (see the file documentation). Movable, not copyable.
template <class T>
class PaginatedIterator {
 public:
  /// Where pages come from (implemented by the SDK).
  class Source {
   public:
    virtual ~Source() = default;
    /// Whether matched ids remain to be fetched.
    [[nodiscard]] virtual bool has_next() const = 0;
    /// The next page; on error nothing advances.
    virtual Result<Page<T>> next() = 0;
    /// Every id the match selected (de-duplicated, in order).
    [[nodiscard]] virtual const std::vector<std::string>& ids() const = 0;
    /// Issues of the match answer itself (duplicates, malformed ids).
    [[nodiscard]] virtual const std::vector<QueryIssue>& match_issues() const = 0;
  };

  /// Used by the SDK.
  explicit PaginatedIterator(std::unique_ptr<Source> source) : source_(std::move(source)) {}
  /// Whether `next` has a page to fetch.
  [[nodiscard]] bool has_next() const { return source_ && source_->has_next(); }
  /// Fetches and decrypts the next page (one request). After the last page: an empty page.
  /// Errors: transport and server errors of the request (calling `next` again retries the same
  /// page), kMalformedResponse (the answer is not a list of entities).
  Result<Page<T>> next() { return source_ ? source_->next() : Result<Page<T>>(Page<T>{}); }
  /// The ids the query matched (what the pages go through), de-duplicated, in the server's order.
  [[nodiscard]] const std::vector<std::string>& ids() const { return source_->ids(); }
  /// Oddities of the match answer (duplicate or malformed ids), reported once here.
  [[nodiscard]] const std::vector<QueryIssue>& match_issues() const { return source_->match_issues(); }

 private:
  std::unique_ptr<Source> source_;
};

}  // namespace cardinal
