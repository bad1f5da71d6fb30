// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Queries against a hostile server: a real cardinal-devserver holds the entities, and a backend in
// front of it answers the match itself (ids the caller cannot read, duplicates, made-up ids) and
// distorts byIds pages (entities not asked for, endless or shrinking answers, swapped content).
// The SDK resolves filters with its own keys, terminates, de-duplicates and reports.

#include "api/rest_backend.hpp"
#include "api/sdk_core.hpp"
#include "devserver_process.hpp"
#include "httplib_api_call.hpp"
#include "test_util.hpp"

#include <map>
#include <mutex>

namespace cardinal {
namespace {

// The server: real storage, lying answers.
class HostileQueryBackend : public api::RestBackend {
 public:
  using RestBackend::RestBackend;
  std::function<Json(const Json& filter)> match;            // the match answer (default: none)
  std::function<Json(const std::vector<std::string>&, Json)> distort;  // byIds answer changes
  std::vector<Json> match_bodies;
  std::vector<std::vector<std::string>> by_ids_requests;

  Result<Json> match_entities(std::string_view, const Json& filter, const api::AccessKeys&) override {
    match_bodies.push_back(filter);
    return match ? match(filter) : Json::array();
  }
  Result<Json> get_entities(std::string_view type, const std::vector<std::string>& ids,
                            const api::AccessKeys& keys) override {
    by_ids_requests.push_back(ids);
    CARDINAL_ASSIGN_OR_RETURN(Json page, RestBackend::get_entities(type, ids, keys));
    return distort ? distort(ids, std::move(page)) : page;
  }
};

struct Client {
  std::shared_ptr<keys::KeyStore> keys = std::make_shared<keys::InMemoryKeyStore>();
  std::shared_ptr<HostileQueryBackend> backend;
  std::vector<TamperReport> events;
  std::mutex events_mutex;
  std::unique_ptr<api::SdkCore> core;

  Status start(const testing::DevServer& server, const std::string& login) {
    backend = std::make_shared<HostileQueryBackend>(testing::httplib_api_call("127.0.0.1", server.port(), login, "pw"));
    api::CoreOptions o;
    o.backend = backend;
    o.keys = keys;
    o.strategies = std::make_shared<BasicCryptoStrategies>();
    o.on_tamper = [this](const TamperReport& e) {
      std::lock_guard lock(events_mutex);
      events.push_back(e);
    };
    auto c = api::SdkCore::start(std::move(o));
    if (!c.ok()) return c.error();
    core = std::move(c).value();
    return {};
  }
  std::size_t tamper_count() {
    std::lock_guard lock(events_mutex);
    return events.size();
  }
};

// Pages through a query to its end (bounded by `max_pages` so that a bug cannot hang the test).
struct Drained {
  std::vector<std::string> ids;  // of the decrypted entities, in order
  std::vector<QueryIssue> issues;
  std::size_t pages = 0;
};

Drained drain(Client& c, std::string_view type, const std::shared_ptr<const detail::FilterSpec>& filter,
              QueryOptions options = {}, std::size_t max_pages = 100) {
  Drained out;
  auto match = c.core->match(type, filter, options.limits);
  EXPECT_TRUE(match.ok()) << (match.ok() ? "" : match.error().to_string());
  if (!match.ok()) return out;
  out.issues = match->issues;
  auto it = api::make_paginated<DecryptedEntity>(std::string(type), std::move(match).value(), options,
                                                c.core->query_callbacks(type));
  while (it.has_next() && out.pages < max_pages) {
    auto page = it.next();
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().to_string());
    if (!page.ok()) break;
    ++out.pages;
    for (const auto& d : page->entities) out.ids.push_back(string_member(d.entity, "id"));
    out.issues.insert(out.issues.end(), page->issues.begin(), page->issues.end());
  }
  EXPECT_FALSE(it.has_next()) << "the iteration did not end";
  return out;
}

std::size_t count(const std::vector<QueryIssue>& issues, QueryIssueKind kind) {
  return static_cast<std::size_t>(
      std::count_if(issues.begin(), issues.end(), [&](const QueryIssue& i) { return i.kind == kind; }));
}

class QueryAttacks : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(alice.start(server, "alice"));
    ASSERT_OK(carol.start(server, "carol"));
    auto p = alice.core->create("Patient", Json{{"firstName", "Q"}, {"lastName", "Uery"}}, {});
    ASSERT_OK(p);
    patient = p->entity;
    patient_secret_ids.assign(p->secret_ids.begin(), p->secret_ids.end());
    for (int i = 0; i < 5; ++i) {
      CreateOptions o;
      o.owning_entity_id = string_member(patient, "id");
      o.secret_foreign_keys = patient_secret_ids;
      auto he = alice.core->create("HealthElement", Json{{"descr", "he " + std::to_string(i)}}, o);
      ASSERT_OK(he);
      alice_he.push_back(string_member(he->entity, "id"));
    }
    auto hidden = carol.core->create("HealthElement", Json{{"descr", "carol's, not shared"}}, {});
    ASSERT_OK(hidden);
    carol_he = string_member(hidden->entity, "id");
  }

  testing::DevServer server{":tmpfile:"};
  Client alice, carol;
  Json patient;
  std::vector<std::string> patient_secret_ids;
  std::vector<std::string> alice_he;
  std::string carol_he;
};

TEST_F(QueryAttacks, FiltersByPatientAreResolvedWithTheUsersOwnKeysIntoTheOfficialJson) {
  auto filter = HealthElementFilters::by_patients_opening_date_for_self({patient}, {.from = 20200101, .descending = true});
  auto match = alice.core->match("HealthElement", filter.spec());
  ASSERT_OK(match);
  ASSERT_EQ(alice.backend->match_bodies.size(), 1u);
  const Json& sent = alice.backend->match_bodies[0];
  EXPECT_EQ(sent["$type"], "HealthElementByDataOwnerPatientOpeningDate");
  EXPECT_EQ(sent["healthcarePartyId"], "hcp-alice");
  EXPECT_EQ(sent["patientSecretForeignKeys"], Json(patient_secret_ids));
  EXPECT_EQ(sent["startDate"], 20200101);
  EXPECT_EQ(sent["descending"], true);
  // Carol cannot read the patient's secret ids: her query fails instead of silently matching nothing.
  auto by_carol = carol.core->match("HealthElement", HealthElementFilters::by_patients_for_self({patient}).spec());
  ASSERT_FALSE(by_carol.ok());
  EXPECT_EQ(by_carol.error().code(), ErrorCode::kKeyNotAvailable);
  EXPECT_TRUE(carol.backend->match_bodies.empty());  // nothing was sent
}

TEST_F(QueryAttacks, UnreadableDuplicateAndMadeUpIdsInTheMatchAreSkippedDeduplicatedAndReported) {
  alice.backend->match = [&](const Json&) {
    return Json::array({alice_he[0], carol_he, alice_he[1], alice_he[0], "no-such-id", alice_he[1], alice_he[2]});
  };
  const std::size_t before = alice.tamper_count();
  auto r = drain(alice, "HealthElement", HealthElementFilters::all_for_self().spec(), {.page_size = 2});
  EXPECT_EQ(r.ids, (std::vector<std::string>{alice_he[0], alice_he[1], alice_he[2]}));  // first order kept
  EXPECT_EQ(count(r.issues, QueryIssueKind::kDuplicate), 2u);
  EXPECT_EQ(count(r.issues, QueryIssueKind::kNotReturned), 2u);  // carol's (no access) and the made-up one
  EXPECT_EQ(alice.tamper_count() - before, 2u);                   // the duplicates; no access is no tampering
  // One byIds request per page of the de-duplicated list: 5 ids, pages of 2.
  EXPECT_EQ(alice.backend->by_ids_requests.size(), 3u);
}

TEST_F(QueryAttacks, EntitiesTheServerAddsToAPageAreDroppedAsTampering) {
  alice.backend->match = [&](const Json&) { return Json::array({alice_he[0]}); };
  alice.backend->distort = [&](const std::vector<std::string>&, Json page) {
    // Slip in entities the caller did not ask for: another of alice's (readable) and carol's.
    auto extra = alice.core->get("HealthElement", alice_he[3]);
    if (extra.ok()) page.push_back(extra->entity);
    page.push_back(Json{{"id", carol_he}, {"descr", "planted"}});
    return page;
  };
  const std::size_t before = alice.tamper_count();
  auto r = drain(alice, "HealthElement", HealthElementFilters::all_for_self().spec());
  EXPECT_EQ(r.ids, (std::vector<std::string>{alice_he[0]}));
  EXPECT_EQ(count(r.issues, QueryIssueKind::kUnexpected), 2u);
  EXPECT_GE(alice.tamper_count() - before, 2u);
}

TEST_F(QueryAttacks, AnswersThatNeverEndOrShrinkCannotKeepTheIteratorGoing) {
  alice.backend->match = [&](const Json&) { return Json(alice_he); };
  int call = 0;
  alice.backend->distort = [&](const std::vector<std::string>&, Json page) {
    ++call;
    if (call == 2 && !page.empty()) page.erase(page.begin());  // shrinks
    for (int i = 0; i < 50; ++i) page.push_back(Json{{"id", "endless-" + std::to_string(call * 100 + i)}});
    return page;
  };
  auto r = drain(alice, "HealthElement", HealthElementFilters::all_for_self().spec(), {.page_size = 2});
  EXPECT_EQ(r.pages, 3u);  // 5 ids in pages of 2, whatever the server adds
  EXPECT_EQ(r.ids.size(), 4u);
  ASSERT_EQ(count(r.issues, QueryIssueKind::kNotReturned), 1u);
  EXPECT_EQ(count(r.issues, QueryIssueKind::kUnexpected), 150u);
}

TEST_F(QueryAttacks, ContentSwappedBetweenEntitiesIsReportedNotReturned) {
  alice.backend->match = [&](const Json&) { return Json::array({alice_he[0], alice_he[1]}); };
  alice.backend->distort = [&](const std::vector<std::string>&, Json page) {
    if (page.size() == 2) std::swap(page[0]["encryptedSelf"], page[1]["encryptedSelf"]);
    return page;
  };
  auto r = drain(alice, "HealthElement", HealthElementFilters::all_for_self().spec());
  EXPECT_TRUE(r.ids.empty());
  ASSERT_EQ(count(r.issues, QueryIssueKind::kUndecryptable), 2u);
  // With the skip policy they are left out without an issue.
  auto skipped = drain(alice, "HealthElement", HealthElementFilters::all_for_self().spec(),
                       {.on_undecryptable = UndecryptablePolicy::kSkip});
  EXPECT_TRUE(skipped.ids.empty());
  EXPECT_EQ(count(skipped.issues, QueryIssueKind::kUndecryptable), 0u);
}

// The bulk get reads the same byIds answer with the same checks as the pager: one request for
// the distinct ids; what the server adds, repeats or malforms is dropped and reported; what it
// leaves out is kNotFound for that entity alone.
TEST_F(QueryAttacks, BulkGetDropsAndReportsWhatTheServerAddsAndNamesWhatItLeavesOut) {
  alice.backend->distort = [&](const std::vector<std::string>&, Json page) {
    Json out = Json::array();
    for (auto& e : page) {
      if (string_member(e, "id") == alice_he[1]) continue;  // withheld
      out.push_back(e);
      out.push_back(e);  // repeated
    }
    out.push_back(Json{{"id", carol_he}, {"descr", "planted"}});  // not asked
    out.push_back(Json{{"id", 42}});                              // malformed
    out.push_back("junk");
    return out;
  };
  const std::size_t before = alice.tamper_count();
  auto got = alice.core->get_many("HealthElement", {alice_he[0], alice_he[1], alice_he[0], alice_he[2]});
  ASSERT_OK(got);
  ASSERT_EQ(alice.backend->by_ids_requests.size(), 1u);
  EXPECT_EQ(alice.backend->by_ids_requests[0], (std::vector<std::string>{alice_he[0], alice_he[1], alice_he[2]}))
      << "one request for the distinct ids";
  ASSERT_EQ(got->size(), 4u);
  ASSERT_OK((*got)[0]);
  EXPECT_EQ((*got)[0]->entity["descr"], "he 0");
  EXPECT_ERROR_CODE((*got)[1], ErrorCode::kNotFound);
  ASSERT_OK((*got)[2]);
  EXPECT_EQ((*got)[2]->entity["descr"], "he 0");
  ASSERT_OK((*got)[3]);
  EXPECT_EQ((*got)[3]->entity["descr"], "he 2");
  // 2 repeats + 1 not asked + 2 malformed.
  EXPECT_EQ(alice.tamper_count() - before, 5u);

  alice.backend->distort = [](const std::vector<std::string>&, Json) { return Json{{"not", "a list"}}; };
  EXPECT_ERROR_CODE(alice.core->get_many("HealthElement", {alice_he[0]}), ErrorCode::kMalformedResponse);
}

TEST_F(QueryAttacks, AnOversizedMatchAnswerIsRefused) {
  alice.backend->match = [&](const Json&) {
    Json ids = Json::array();
    for (int i = 0; i < 1001; ++i) ids.push_back("id-" + std::to_string(i));
    return ids;
  };
  auto match = alice.core->match("HealthElement", HealthElementFilters::all_for_self().spec(), {.max_ids = 1000});
  ASSERT_FALSE(match.ok());
  EXPECT_EQ(match.error().code(), ErrorCode::kMalformedResponse);
}

TEST_F(QueryAttacks, OwningEntityIdsComeFromTheUsersOwnDelegations) {
  auto he = alice.core->get("HealthElement", alice_he[0]);
  ASSERT_OK(he);
  auto owners = alice.core->owning_entity_ids("HealthElement", he->entity);
  ASSERT_OK(owners);
  EXPECT_TRUE(owners->verified);
  EXPECT_EQ(owners->ids, (std::vector<std::string>{string_member(patient, "id")}));
  auto by_carol = carol.core->owning_entity_ids("HealthElement", he->entity);
  ASSERT_FALSE(by_carol.ok());
  EXPECT_EQ(by_carol.error().code(), ErrorCode::kKeyNotAvailable);
}

TEST_F(QueryAttacks, TryDecryptHandsBackTheEncryptedEntityInsteadOfFailing) {
  auto stored = alice.backend->get_entity("HealthElement", alice_he[0], {});
  ASSERT_OK(stored);
  auto mine = alice.core->try_decrypt("HealthElement", *stored);
  ASSERT_OK(mine);
  EXPECT_TRUE(mine->decrypted);
  EXPECT_EQ(mine->value.entity["descr"], "he 0");

  auto not_shared = carol.core->try_decrypt("HealthElement", *stored);
  ASSERT_OK(not_shared);
  EXPECT_FALSE(not_shared->decrypted);
  ASSERT_TRUE(not_shared->error.has_value());
  EXPECT_EQ(not_shared->error->code(), ErrorCode::kKeyNotAvailable);
  EXPECT_EQ(not_shared->value.entity, *stored);  // as given

  // Content from another entity: fails its checks, and nothing of it is returned in clear.
  auto other = alice.backend->get_entity("HealthElement", alice_he[1], {});
  ASSERT_OK(other);
  Json swapped = *stored;
  swapped["encryptedSelf"] = (*other)["encryptedSelf"];
  auto tampered = alice.core->try_decrypt("HealthElement", swapped);
  ASSERT_OK(tampered);
  EXPECT_FALSE(tampered->decrypted);
  EXPECT_EQ(tampered->value.entity, swapped);
  EXPECT_FALSE(tampered->value.entity.contains("descr"));
}

}  // namespace
}  // namespace cardinal
