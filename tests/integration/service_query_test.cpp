// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Services queried on their own against a real cardinal-devserver: ServiceFilters resolved with the
// user's keys, POST /rest/v2/contact/service/match (access control of contacts, sorting by value
// date) and POST /rest/v2/contact/service pages, each service decrypted with its contact's key.

#include "api/rest_backend.hpp"
#include "api/sdk_core.hpp"
#include "devserver_process.hpp"
#include "httplib_api_call.hpp"
#include "test_util.hpp"

#include <set>

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

Json code(const std::string& type, const std::string& c) {
  return Json{{"id", type + "|" + c + "|1"}, {"type", type}, {"code", c}, {"version", "1"}};
}

Json text_content(const std::string& s) { return Json{{"en", Json{{"stringValue", s}}}}; }

// Matched ids, and the decrypted services of the pages (content text by id).
struct Found {
  std::vector<std::string> ids;
  std::map<std::string, std::string> text;
};

Found run(api::SdkCore& core, const FilterOptions<ServiceKind>& filter) {
  Found out;
  auto match = core.match("Service", filter.spec());
  EXPECT_TRUE(match.ok()) << (match.ok() ? "" : match.error().to_string());
  if (!match.ok()) return out;
  out.ids = match->ids;
  auto it = api::make_paginated<DecryptedEntity>("Service", std::move(match).value(), {.page_size = 2},
                                                 core.query_callbacks("Service"));
  while (it.has_next()) {
    auto page = it.next();
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().to_string());
    if (!page.ok()) break;
    for (const auto& d : page->entities) {
      out.text[string_member(d.entity, "id")] = d.entity["content"]["en"].value("stringValue", "");
      EXPECT_TRUE(d.warnings.empty()) << d.warnings.front();
    }
    for (const auto& i : page->issues) ADD_FAILURE() << "issue for " << i.entity_id << ": " << i.error.to_string();
  }
  return out;
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

class ServiceQueries : public ::testing::Test {
 protected:
  void SetUp() override {
    alice = start(server, "alice");
    carol = start(server, "carol");
    ASSERT_TRUE(alice && carol);
    auto p = alice->create("Patient", Json{{"firstName", "Sam"}, {"lastName", "Service"}}, {});
    ASSERT_OK(p);
    patient = p->entity;
    secret_id = p->secret_ids.front();
    CreateOptions of_patient;
    of_patient.owning_entity_id = string_member(patient, "id");
    of_patient.secret_foreign_keys.assign(p->secret_ids.begin(), p->secret_ids.end());
    Json visit{{"openingDate", 20240101000000},
               {"services", Json::array({Json{{"id", "svc-glucose"}, {"valueDate", 20240105},
                                              {"tags", Json::array({code("CD-ITEM", "lab")})},
                                              {"codes", Json::array({code("LOINC", "2345-7")})},
                                              {"content", text_content("glucose 5.4")}},
                                         Json{{"id", "svc-asthma"}, {"valueDate", 20240103},
                                              {"codes", Json::array({code("ICD", "J45")})},
                                              {"content", text_content("asthma")}}})},
               {"subContacts", Json::array({Json{{"id", "sc-1"}, {"healthElementId", "he-diabetes"},
                                                 {"services", Json::array({Json{{"serviceId", "svc-glucose"}}})}}})}};
    ASSERT_OK(alice->create("Contact", visit, of_patient));
    Json other{{"services", Json::array({Json{{"id", "svc-other"}, {"openingDate", 20230101},
                                             {"tags", Json::array({code("CD-ITEM", "lab")})},
                                             {"content", text_content("no patient")}}})}};
    ASSERT_OK(alice->create("Contact", other, {}));
    Json hidden{{"services", Json::array({Json{{"id", "svc-carol"}, {"valueDate", 20240104},
                                              {"tags", Json::array({code("CD-ITEM", "lab")})},
                                              {"content", text_content("carol's")}}})}};
    ASSERT_OK(carol->create("Contact", hidden, {}));
  }
  testing::DevServer server{":tmpfile:"};
  std::unique_ptr<api::SdkCore> alice, carol;
  Json patient;
  std::string secret_id;
};

TEST_F(ServiceQueries, ByPatientFindsAndDecryptsTheServicesOfThePatientsContacts) {
  auto found = run(*alice, ServiceFilters::by_patients_for_self({patient}));
  EXPECT_EQ(as_set(found.ids), (std::set<std::string>{"svc-glucose", "svc-asthma"}));
  EXPECT_EQ(found.text["svc-glucose"], "glucose 5.4");
  EXPECT_EQ(found.text["svc-asthma"], "asthma");
  EXPECT_EQ(run(*alice, ServiceFilters::by_patient_secret_ids_for_self({secret_id})).ids, found.ids);
  EXPECT_TRUE(run(*carol, ServiceFilters::by_patient_secret_ids_for_self({secret_id})).ids.empty());
}

TEST_F(ServiceQueries, ByPatientDateSortsByValueDateAndKeepsTheRange) {
  EXPECT_EQ(run(*alice, ServiceFilters::by_patients_date_for_self({patient})).ids,
            (std::vector<std::string>{"svc-asthma", "svc-glucose"}));
  EXPECT_EQ(run(*alice, ServiceFilters::by_patients_date_for_self({patient}, {.descending = true})).ids,
            (std::vector<std::string>{"svc-glucose", "svc-asthma"}));
  EXPECT_EQ(run(*alice, ServiceFilters::by_patients_date_for_self({patient}, {.from = 20240104, .to = 20240131})).ids,
            (std::vector<std::string>{"svc-glucose"}));
}

TEST_F(ServiceQueries, ByTagAndCodeFindOnlyWhatIsSharedWithTheCaller) {
  EXPECT_EQ(run(*alice, ServiceFilters::by_tag_and_value_date_for_self("CD-ITEM", "lab")).ids,
            (std::vector<std::string>{"svc-other", "svc-glucose"}));  // by value date (else opening date)
  EXPECT_EQ(run(*alice, ServiceFilters::by_tag_and_value_date_for_self("CD-ITEM", "lab", {.from = 20240101})).ids,
            (std::vector<std::string>{"svc-glucose"}));
  EXPECT_EQ(run(*alice, ServiceFilters::by_code_and_value_date_for_self("ICD")).ids,
            (std::vector<std::string>{"svc-asthma"}));  // a code type alone: any code of that type
  EXPECT_EQ(run(*carol, ServiceFilters::by_tag_and_value_date_for_self("CD-ITEM", "lab")).ids,
            (std::vector<std::string>{"svc-carol"}));
  EXPECT_EQ(run(*alice, ServiceFilters::by_health_element_ids_for_self({"he-diabetes"})).ids,
            (std::vector<std::string>{"svc-glucose"}));
  EXPECT_EQ(as_set(run(*alice, ServiceFilters::all_for_self()).ids),
            (std::set<std::string>{"svc-glucose", "svc-asthma", "svc-other"}));
}

TEST_F(ServiceQueries, ByIdsAndGetServicesAnswerOnlyReadableServices) {
  EXPECT_EQ(run(*alice, ServiceFilters::by_ids({"svc-carol", "svc-asthma", "nope"})).ids,
            (std::vector<std::string>{"svc-asthma"}));
  auto got = alice->get_services({"svc-glucose", "svc-carol", "svc-glucose"});
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), 2u);  // one result per distinct id
  ASSERT_OK((*got)[0]);
  EXPECT_EQ((*got)[0]->entity["content"]["en"]["stringValue"], "glucose 5.4");
  EXPECT_EQ((*got)[0]->entity["healthElementsIds"], Json::array({"he-diabetes"}));
  ASSERT_FALSE((*got)[1].ok());
  EXPECT_EQ((*got)[1].error().code(), ErrorCode::kNotFound);
}

TEST_F(ServiceQueries, AServiceInSeveralContactsIsAnsweredOnceInItsLatestVersion) {
  Json later{{"services", Json::array({Json{{"id", "svc-asthma"}, {"valueDate", 20240110}, {"modified", 1900000000000},
                                           {"codes", Json::array({code("ICD", "J45")})},
                                           {"content", text_content("asthma, controlled")}}})}};
  ASSERT_OK(alice->create("Contact", later, {}));
  auto found = run(*alice, ServiceFilters::by_code_and_value_date_for_self("ICD", "J45"));
  EXPECT_EQ(found.ids, (std::vector<std::string>{"svc-asthma"}));
  EXPECT_EQ(found.text["svc-asthma"], "asthma, controlled");
}

TEST_F(ServiceQueries, AnUnknownFilterTypeIsABadRequestNamingIt) {
  api::RestBackend raw(testing::httplib_api_call("127.0.0.1", server.port(), "alice", "pw"));
  auto r = raw.match_services(Json{{"$type", "ServiceByMoonPhaseFilter"}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kBadRequest);
  EXPECT_NE(r.error().message().find("ServiceByMoonPhaseFilter"), std::string::npos) << r.error().message();
  // A Contact filter is not a Service filter.
  auto contact = raw.match_services(Json{{"$type", "ContactByHcPartyFilter"}, {"hcpId", "x"}}, {});
  ASSERT_FALSE(contact.ok());
  EXPECT_EQ(contact.error().code(), ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace cardinal
