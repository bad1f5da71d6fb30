// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Queries against a real cardinal-devserver: typed filters resolved with the user's keys, the
// server's match (access control, sorting) and byIds pages decrypted lazily. Skipped while the
// devserver has no …/match endpoint.

#include "api/rest_backend.hpp"
#include "api/sdk_core.hpp"
#include "devserver_process.hpp"
#include "httplib_api_call.hpp"
#include "test_util.hpp"

namespace cardinal {
namespace {

std::unique_ptr<api::SdkCore> start(const testing::DevServer& server, const std::string& login) {
  api::CoreOptions o;
  o.backend = std::make_shared<api::RestBackend>(testing::httplib_api_call("127.0.0.1", server.port(), login, "pw"));
  o.keys = std::make_shared<keys::InMemoryKeyStore>();
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  auto c = api::SdkCore::start(std::move(o));
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().to_string());
  return c.ok() ? std::move(c).value() : nullptr;
}

Json tag(const std::string& type, const std::string& code) {
  return Json{{"id", type + "|" + code + "|1"}, {"type", type}, {"code", code}, {"version", "1"}};
}

std::vector<std::string> all_ids(api::SdkCore& core, std::string_view type,
                                 const std::shared_ptr<const detail::FilterSpec>& filter, std::size_t page_size,
                                 std::size_t* pages = nullptr) {
  auto match = core.match(type, filter);
  EXPECT_TRUE(match.ok()) << (match.ok() ? "" : match.error().to_string());
  if (!match.ok()) return {};
  auto it = api::make_paginated<DecryptedEntity>(
      std::string(type), std::move(match).value(), {.page_size = page_size},
      core.query_callbacks(type));
  std::vector<std::string> out;
  while (it.has_next()) {
    auto page = it.next();
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().to_string());
    if (!page.ok()) break;
    if (pages) ++*pages;
    for (const auto& d : page->entities) out.push_back(string_member(d.entity, "id"));
    for (const auto& i : page->issues) ADD_FAILURE() << "issue for " << i.entity_id << ": " << i.error.to_string();
  }
  return out;
}

TEST(QueryIntegration, TypedFiltersFindWhatTheUserMayReadInTheServersOrder) {
  testing::DevServer server(":tmpfile:");
  auto alice = start(server, "alice");
  auto carol = start(server, "carol");
  ASSERT_TRUE(alice && carol);
  {
    auto probe = alice->match("HealthElement", HealthElementFilters::all_for_self().spec());
    if (!probe.ok() && probe.error().code() == ErrorCode::kNotFound) GTEST_SKIP() << "devserver without …/match";
    ASSERT_OK(probe);
  }
  auto patient = alice->create("Patient", Json{{"firstName", "Quinn"}, {"lastName", "Query"}, {"ssin", "85010112345"}}, {});
  ASSERT_OK(patient);
  CreateOptions of_patient;
  of_patient.owning_entity_id = string_member(patient->entity, "id");
  of_patient.secret_foreign_keys.assign(patient->secret_ids.begin(), patient->secret_ids.end());
  std::map<std::string, std::string> id_of;  // by description
  for (const auto& [descr, opening, t] : std::vector<std::tuple<std::string, std::int64_t, Json>>{
           {"asthma", 20210101, Json::array({tag("CD-ITEM", "diagnosis")})},
           {"fracture", 20230101, Json::array({tag("CD-ITEM", "injury")})},
           {"allergy", 20220101, Json::array({tag("CD-ITEM", "diagnosis")})}}) {
    auto he = alice->create("HealthElement", Json{{"descr", descr}, {"openingDate", opening}, {"tags", t}}, of_patient);
    ASSERT_OK(he);
    id_of[descr] = string_member(he->entity, "id");
  }
  auto unrelated = alice->create("HealthElement", Json{{"descr", "no patient"}}, {});
  ASSERT_OK(unrelated);

  // By patient, newest first; then from 2022 on, oldest first.
  const auto p = patient->entity;
  EXPECT_EQ(all_ids(*alice, "HealthElement",
                    HealthElementFilters::by_patients_opening_date_for_self({p}, {.descending = true}).spec(), 2),
            (std::vector<std::string>{id_of["fracture"], id_of["allergy"], id_of["asthma"]}));
  EXPECT_EQ(all_ids(*alice, "HealthElement",
                    HealthElementFilters::by_patients_opening_date_for_self({p}, {.from = 20220101}).spec(), 2),
            (std::vector<std::string>{id_of["allergy"], id_of["fracture"]}));
  // By tag; by ids (an unknown id is not returned by the match).
  auto tagged = all_ids(*alice, "HealthElement", HealthElementFilters::by_tag_for_self("CD-ITEM", "diagnosis").spec(), 10);
  std::sort(tagged.begin(), tagged.end());
  auto want = std::vector<std::string>{id_of["asthma"], id_of["allergy"]};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(tagged, want);
  auto everything = all_ids(*alice, "HealthElement", HealthElementFilters::all_for_self().spec(), 1);
  EXPECT_EQ(everything.size(), 4u);

  // Patients by name and SSIN.
  EXPECT_EQ(all_ids(*alice, "Patient", PatientFilters::by_name_for_self("Quinn").spec(), 10),
            std::vector<std::string>{string_member(p, "id")});
  EXPECT_EQ(all_ids(*alice, "Patient", PatientFilters::by_ssins_for_self({"85010112345"}).spec(), 10),
            std::vector<std::string>{string_member(p, "id")});

  // Carol: nothing was shared with her.
  EXPECT_TRUE(all_ids(*carol, "HealthElement", HealthElementFilters::all_for_self().spec(), 10).empty());
  // Asking for what another data owner sees: refused, or nothing she may read.
  auto of_alice = carol->match("HealthElement", HealthElementFilters::all_for_data_owner("hcp-alice").spec());
  if (of_alice.ok()) {
    EXPECT_TRUE(all_ids(*carol, "HealthElement", HealthElementFilters::all_for_data_owner("hcp-alice").spec(), 10).empty());
  } else {
    EXPECT_EQ(of_alice.error().code(), ErrorCode::kPermissionDenied);
  }
  auto by_patient = carol->match("HealthElement", HealthElementFilters::by_patients_for_self({p}).spec());
  ASSERT_FALSE(by_patient.ok());
  EXPECT_EQ(by_patient.error().code(), ErrorCode::kKeyNotAvailable);
}

TEST(QueryIntegration, AnAnonymousPatientFindsWhatWasSharedWithItSinceItSignedIn) {
  testing::DevServer server(":tmpfile:");
  auto pat = start(server, "pat");
  auto alice = start(server, "alice");
  ASSERT_TRUE(pat && alice);
  ASSERT_TRUE(pat->self_anonymous());
  {
    auto probe = pat->match("HealthElement", HealthElementFilters::all_for_self().spec());
    if (!probe.ok() && probe.error().code() == ErrorCode::kNotFound) GTEST_SKIP() << "devserver without …/match";
    ASSERT_OK(probe);
    EXPECT_TRUE(probe->ids.empty());
  }
  CreateOptions shared;
  shared.share_with = {{"pat-1", AccessLevel::kRead}};
  auto he = alice->create("HealthElement", Json{{"descr", "for the patient"}}, shared);
  ASSERT_OK(he);
  // Shared after pat loaded its exchange data (an anonymous user's match reloads them first, so
  // that its access control keys include the new share whatever the server matches on).
  EXPECT_EQ(all_ids(*pat, "HealthElement", HealthElementFilters::all_for_self().spec(), 10),
            std::vector<std::string>{string_member(he->entity, "id")});
}

}  // namespace
}  // namespace cardinal
