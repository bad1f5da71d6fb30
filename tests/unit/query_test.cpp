// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The query engine (src/api/query.hpp) over a memory "server" that can misbehave: the iterator is
// driven by the one match answer, de-duplicates, keeps only what it asked for, reports what is
// missing, and always ends.

#include "api/query.hpp"

#include <gtest/gtest.h>

#include <map>

namespace {

using namespace cardinal;
using api::MatchAnswer;

struct MemoryServer {
  std::map<std::string, Json> entities;
  std::vector<std::vector<std::string>> requests;  // ids asked per byIds call
  std::function<Json(const std::vector<std::string>&, Json)> distort;  // hostile behaviour
  int fail_next = 0;                                                   // transport failures to inject

  Result<Json> by_ids(const std::vector<std::string>& ids) {
    requests.push_back(ids);
    if (fail_next > 0) {
      --fail_next;
      return Error{ErrorCode::kTransport, "connection reset"};
    }
    Json out = Json::array();
    for (const auto& id : ids) {
      if (auto it = entities.find(id); it != entities.end()) out.push_back(it->second);
    }
    return distort ? distort(ids, std::move(out)) : out;
  }
};

Json entity(const std::string& id, bool readable = true) { return Json{{"id", id}, {"readable", readable}}; }

struct Harness {
  MemoryServer server;
  std::vector<QueryIssue> tamper;

  api::QueryCallbacks<std::string> callbacks() {
    return {[this](const std::vector<std::string>& ids) { return server.by_ids(ids); },
            [](const Json& e) -> Result<std::string> {
              if (!e.value("readable", false)) return Error{ErrorCode::kDecryptionFailed, "cannot open " + e["id"].get<std::string>()};
              return e["id"].get<std::string>();
            },
            [this](const QueryIssue& i) { tamper.push_back(i); }};
  }
  PaginatedIterator<std::string> iterate(const Json& match_answer, QueryOptions options = {}) {
    auto match = api::read_match_answer(match_answer, "HealthElement", options.limits);
    EXPECT_TRUE(match.ok());
    return api::make_paginated<std::string>("HealthElement", std::move(match).value(), options, callbacks());
  }
};

std::vector<std::string> drain(PaginatedIterator<std::string>& it, std::vector<QueryIssue>* issues = nullptr,
                               std::size_t max_pages = 1000) {
  std::vector<std::string> all;
  for (std::size_t n = 0; it.has_next() && n < max_pages; ++n) {
    auto page = it.next();
    EXPECT_TRUE(page.ok()) << page.error().to_string();
    if (!page.ok()) break;
    all.insert(all.end(), page->entities.begin(), page->entities.end());
    if (issues) issues->insert(issues->end(), page->issues.begin(), page->issues.end());
  }
  EXPECT_FALSE(it.has_next());
  return all;
}

Json ids_json(std::initializer_list<const char*> ids) {
  Json a = Json::array();
  for (const char* id : ids) a.push_back(id);
  return a;
}

TEST(QueryEngine, PagesFollowTheMatchOrderLazilyOneRequestEach) {
  Harness h;
  for (auto id : {"a", "b", "c", "d", "e"}) h.server.entities[id] = entity(id);
  auto it = h.iterate(ids_json({"e", "c", "a", "b", "d"}), {.page_size = 2});
  EXPECT_TRUE(h.server.requests.empty());  // nothing fetched before the first next()
  auto first = it.next();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->entities, (std::vector<std::string>{"e", "c"}));
  EXPECT_EQ(h.server.requests.size(), 1u);
  auto rest = drain(it);
  EXPECT_EQ(rest, (std::vector<std::string>{"a", "b", "d"}));
  EXPECT_EQ(h.server.requests, (std::vector<std::vector<std::string>>{{"e", "c"}, {"a", "b"}, {"d"}}));
  EXPECT_TRUE(h.tamper.empty());
  auto after = it.next();  // past the end: an empty page, no request
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->entities.empty());
  EXPECT_EQ(h.server.requests.size(), 3u);
}

TEST(QueryEngine, DuplicateIdsOfTheMatchAreDroppedFirstOrderKeptAndReported) {
  auto match = api::read_match_answer(ids_json({"b", "a", "b", "c", "a"}), "HealthElement", {});
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->ids, (std::vector<std::string>{"b", "a", "c"}));
  ASSERT_EQ(match->issues.size(), 2u);
  EXPECT_EQ(match->issues[0].kind, QueryIssueKind::kDuplicate);
  EXPECT_EQ(match->issues[0].entity_id, "b");
  EXPECT_EQ(match->issues[1].entity_id, "a");
}

TEST(QueryEngine, MatchAnswersThatAreNotBoundedListsOfIdsAreRefusedOrCleaned) {
  EXPECT_EQ(api::read_match_answer(Json{{"ids", Json::array()}}, "HealthElement", {}).error().code(),
            ErrorCode::kMalformedResponse);
  QueryLimits small{.max_ids = 3, .max_id_length = 8};
  EXPECT_EQ(api::read_match_answer(ids_json({"a", "b", "c", "d"}), "HealthElement", small).error().code(),
            ErrorCode::kMalformedResponse);
  Json odd = Json::array({"ok", 42, "", std::string(9, 'x'), nullptr, Json::object(), "fine"});
  auto match = api::read_match_answer(odd, "HealthElement", {.max_ids = 10, .max_id_length = 8});
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->ids, (std::vector<std::string>{"ok", "fine"}));
  EXPECT_EQ(match->issues.size(), 5u);
  for (const auto& i : match->issues) EXPECT_EQ(i.kind, QueryIssueKind::kMalformed);
}

TEST(QueryEngine, IdsTheCallerCannotReadAreReportedNotFatal) {
  Harness h;
  h.server.entities["a"] = entity("a");
  h.server.entities["b"] = entity("b", false);  // returned, does not decrypt
  // "c" is matched but the server does not return it (no access).
  auto it = h.iterate(ids_json({"a", "b", "c"}));
  std::vector<QueryIssue> issues;
  EXPECT_EQ(drain(it, &issues), (std::vector<std::string>{"a"}));
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].entity_id, "c");
  EXPECT_EQ(issues[0].kind, QueryIssueKind::kNotReturned);
  EXPECT_EQ(issues[1].entity_id, "b");
  EXPECT_EQ(issues[1].kind, QueryIssueKind::kUndecryptable);
  EXPECT_EQ(issues[1].error.code(), ErrorCode::kDecryptionFailed);
  EXPECT_TRUE(h.tamper.empty());  // neither is tampering
}

TEST(QueryEngine, SkipPolicyLeavesUndecryptableEntitiesOutSilently) {
  Harness h;
  h.server.entities["a"] = entity("a", false);
  h.server.entities["b"] = entity("b");
  auto it = h.iterate(ids_json({"a", "b"}), {.on_undecryptable = UndecryptablePolicy::kSkip});
  std::vector<QueryIssue> issues;
  EXPECT_EQ(drain(it, &issues), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(issues.empty());
}

TEST(QueryEngine, EntitiesNotAskedForAreDroppedAndReportedAsTampering) {
  Harness h;
  for (auto id : {"a", "b", "x"}) h.server.entities[id] = entity(id);
  h.server.distort = [](const std::vector<std::string>&, Json out) {
    out.push_back(entity("x"));                  // an entity the caller did not ask for
    out.push_back(entity("a"));                  // a repeat
    out.push_back(Json{{"noId", true}});         // not an entity
    out.insert(out.begin(), entity("evil"));     // and one more, first
    return out;
  };
  auto it = h.iterate(ids_json({"a", "b"}));
  std::vector<QueryIssue> issues;
  EXPECT_EQ(drain(it, &issues), (std::vector<std::string>{"a", "b"}));
  std::map<QueryIssueKind, int> kinds;
  for (const auto& i : issues) ++kinds[i.kind];
  EXPECT_EQ(kinds[QueryIssueKind::kUnexpected], 2);
  EXPECT_EQ(kinds[QueryIssueKind::kDuplicate], 1);
  EXPECT_EQ(kinds[QueryIssueKind::kMalformed], 1);
  EXPECT_EQ(h.tamper.size(), 4u);
}

TEST(QueryEngine, AServerThatNeverStopsAnsweringCannotMakeTheIterationEndless) {
  Harness h;
  for (auto id : {"a", "b", "c"}) h.server.entities[id] = entity(id);
  int n = 0;
  h.server.distort = [&](const std::vector<std::string>&, Json out) {
    for (int i = 0; i < 500; ++i) out.push_back(entity("more-" + std::to_string(n++)));  // endless supply
    return out;
  };
  auto it = h.iterate(ids_json({"a", "b", "c"}), {.page_size = 1});
  std::vector<QueryIssue> issues;
  EXPECT_EQ(drain(it, &issues), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(h.server.requests.size(), 3u);  // bounded by the match answer: one request per page
  // Reported one by one up to a bound, then summed up: bounded memory.
  EXPECT_LE(issues.size(), 3u * 101u);
}

TEST(QueryEngine, AnswersThatShrinkBetweenCallsReportTheMissingIds) {
  Harness h;
  for (auto id : {"a", "b", "c", "d"}) h.server.entities[id] = entity(id);
  int call = 0;
  h.server.distort = [&](const std::vector<std::string>&, Json out) {
    if (++call == 2) out.erase(out.begin());  // the second page lost an entity
    return out;
  };
  auto it = h.iterate(ids_json({"a", "b", "c", "d"}), {.page_size = 2});
  std::vector<QueryIssue> issues;
  EXPECT_EQ(drain(it, &issues), (std::vector<std::string>{"a", "b", "d"}));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].entity_id, "c");
  EXPECT_EQ(issues[0].kind, QueryIssueKind::kNotReturned);
}

TEST(QueryEngine, ARepeatedPageAnswerIsReadAsWhatItIs) {
  Harness h;
  for (auto id : {"a", "b", "c", "d"}) h.server.entities[id] = entity(id);
  Json first;
  h.server.distort = [&](const std::vector<std::string>&, Json out) {
    if (first.is_null()) first = out;
    return first;  // always the first page again
  };
  auto it = h.iterate(ids_json({"a", "b", "c", "d"}), {.page_size = 2});
  std::vector<QueryIssue> issues;
  EXPECT_EQ(drain(it, &issues), (std::vector<std::string>{"a", "b"}));
  std::map<QueryIssueKind, int> kinds;
  for (const auto& i : issues) ++kinds[i.kind];
  EXPECT_EQ(kinds[QueryIssueKind::kUnexpected], 2);   // a and b again, on the second page
  EXPECT_EQ(kinds[QueryIssueKind::kNotReturned], 2);  // c and d
}

TEST(QueryEngine, ATransportErrorLeavesTheCursorSoThatNextRetriesTheSamePage) {
  Harness h;
  for (auto id : {"a", "b"}) h.server.entities[id] = entity(id);
  h.server.fail_next = 1;
  auto it = h.iterate(ids_json({"a", "b"}), {.page_size = 1});
  auto failed = it.next();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kTransport);
  EXPECT_EQ(drain(it), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(h.server.requests.front(), h.server.requests[1]);
}

TEST(QueryEngine, APageAnswerThatIsNotAListIsAnErrorNotACrash) {
  Harness h;
  h.server.entities["a"] = entity("a");
  h.server.distort = [](const std::vector<std::string>&, Json) { return Json{{"rows", 1}}; };
  auto it = h.iterate(ids_json({"a"}));
  auto page = it.next();
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code(), ErrorCode::kMalformedResponse);
  EXPECT_TRUE(it.has_next());
}

TEST(QueryEngine, PageSizeIsClampedToSaneBounds) {
  Harness h;
  for (auto id : {"a", "b"}) h.server.entities[id] = entity(id);
  auto it = h.iterate(ids_json({"a", "b"}), {.page_size = 0});
  EXPECT_EQ(drain(it).size(), 2u);
  EXPECT_EQ(h.server.requests.size(), 2u);  // 0 is taken as 1
}

}  // namespace
