// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The filter JSON the C++ SDK sends equals what the official SDK 1.0.0-RC.7 sends
// (tests/unit/data/official_filters.json, recorded from the official SDK by
// tests/interop/filter_json.mjs), key order included.

#include <cardinal/sdk/filters.hpp>

#include "api/backend.hpp"
#include "api/filter_spec.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <type_traits>

namespace {

using namespace cardinal;
using HE = HealthElementFilters;
using PF = PatientFilters;
using CF = ContactFilters;
using DF = DocumentFilters;
using SF = ServiceFilters;

// A filter of one kind is not a filter of another.
static_assert(!std::is_convertible_v<FilterOptions<PatientKind>, FilterOptions<HealthElementKind>>);
static_assert(!std::is_convertible_v<FilterOptions<HealthElementKind>, FilterOptions<ContactKind>>);
static_assert(!std::is_constructible_v<FilterOptions<DocumentKind>, FilterOptions<ContactKind>>);
static_assert(!std::is_convertible_v<FilterOptions<ServiceKind>, FilterOptions<ContactKind>>);

Json reference() {
  std::ifstream in(std::string(CARDINAL_TEST_DATA_DIR) + "/unit/data/official_filters.json");
  std::stringstream text;
  text << in.rdbuf();
  return parse_json(text.str()).value();
}

struct Resolved {
  std::string path;
  Json body;
};

template <class Kind>
Result<Resolved> resolve(const FilterOptions<Kind>& f, const Json& ref) {
  api::FilterContext context;
  context.self_id = ref["dataOwnerId"].get<std::string>();
  const std::string patient_id = ref["patient"]["id"].get<std::string>();
  const auto secret_ids = ref["patient"]["secretIds"].get<std::vector<std::string>>();
  context.patient_secret_ids = [&](const Json& patient) -> Result<std::vector<std::string>> {
    if (string_member(patient, "id") == patient_id) return secret_ids;
    return std::vector<std::string>{};
  };
  CARDINAL_ASSIGN_OR_RETURN(auto r, api::resolve_filter(f.spec(), Kind::kEntityType, context));
  if (!r.body) return Error{ErrorCode::kInternal, "resolved locally"};
  if (Kind::kEntityType == ServiceKind::kEntityType) return Resolved{"/rest/v2/contact/service/match", *r.body};
  CARDINAL_ASSIGN_OR_RETURN(auto path, api::rest_path_of(Kind::kEntityType));
  return Resolved{"/rest/v2/" + path + "/match", *r.body};
}

class OfficialFilters : public ::testing::Test {
 protected:
  void SetUp() override {
    ref_ = reference();
    patient_ = Json{{"id", ref_["patient"]["id"]}};
  }
  template <class Kind>
  void expect_official(const std::string& name, const FilterOptions<Kind>& f) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(ref_["cases"].contains(name));
    const Json& want = ref_["cases"][name];
    auto got = resolve(f, ref_);
    ASSERT_TRUE(got.ok()) << got.error().to_string();
    EXPECT_EQ(got->path, want["path"].get<std::string>());
    // ordered_json: equal means the same keys in the same order with the same values.
    EXPECT_EQ(got->body, want["body"]) << got->body.dump() << "\n" << want["body"].dump();
    ++checked_;
  }
  Json ref_;
  Json patient_;
  std::size_t checked_ = 0;
};

TEST_F(OfficialFilters, HealthElementFiltersSendWhatTheOfficialSdkSends) {
  const std::string me = "hcp-bob";
  expect_official("HealthElement.all_for_data_owner", HE::all_for_data_owner(me));
  expect_official("HealthElement.all_for_self", HE::all_for_self());
  expect_official("HealthElement.by_ids", HE::by_ids({"he-2", "he-1", "he-2"}));
  expect_official("HealthElement.by_tag_for_data_owner", HE::by_tag_for_data_owner(me, "CD-ITEM", "diagnosis"));
  expect_official("HealthElement.by_tag_for_data_owner.type_only", HE::by_tag_for_data_owner(me, "CD-ITEM"));
  expect_official("HealthElement.by_tag_for_self", HE::by_tag_for_self("CD-ITEM", "diagnosis"));
  expect_official("HealthElement.by_code_for_data_owner", HE::by_code_for_data_owner(me, "ICD", "J45"));
  expect_official("HealthElement.by_code_for_self.type_only", HE::by_code_for_self("ICD"));
  expect_official("HealthElement.by_patients_for_data_owner", HE::by_patients_for_data_owner(me, {patient_}));
  expect_official("HealthElement.by_patients_for_self", HE::by_patients_for_self({patient_}));
  expect_official("HealthElement.by_patient_secret_ids_for_data_owner",
                  HE::by_patient_secret_ids_for_data_owner(me, {"s-2", "s-1"}));
  expect_official("HealthElement.by_patients_opening_date_for_data_owner",
                  HE::by_patients_opening_date_for_data_owner(me, {patient_}, {20200101, 20241231, true}));
  expect_official("HealthElement.by_patients_opening_date_for_data_owner.ascending",
                  HE::by_patients_opening_date_for_data_owner(me, {patient_}, {.from = 20200101}));
  expect_official("HealthElement.by_patient_secret_ids_opening_date_for_self",
                  HE::by_patient_secret_ids_opening_date_for_self({"s-1"}, {.to = 20241231}));
  EXPECT_EQ(checked_, 14u);
}

TEST_F(OfficialFilters, PatientFiltersSendWhatTheOfficialSdkSends) {
  const std::string me = "hcp-bob";
  expect_official("Patient.all_for_data_owner", PF::all_for_data_owner(me));
  expect_official("Patient.by_ids", PF::by_ids({"p-2", "p-1"}));
  expect_official("Patient.by_name_for_data_owner", PF::by_name_for_data_owner(me, "Ter"));
  expect_official("Patient.by_name_for_self", PF::by_name_for_self("Ter"));
  expect_official("Patient.by_ssins_for_data_owner.one", PF::by_ssins_for_data_owner(me, {"85010112345"}));
  expect_official("Patient.by_ssins_for_data_owner.many",
                  PF::by_ssins_for_data_owner(me, {"85010112345", "90020254321"}));
  expect_official("Patient.by_date_of_birth_between_for_data_owner",
                  PF::by_date_of_birth_between_for_data_owner(me, 19800101, 19891231));
  expect_official("Patient.by_date_of_birth_between_for_data_owner.same_day",
                  PF::by_date_of_birth_between_for_data_owner(me, 19850101, 19850101));
  expect_official("Patient.by_date_of_birth_between_for_self", PF::by_date_of_birth_between_for_self(19800101, 19891231));
  EXPECT_EQ(checked_, 9u);
}

TEST_F(OfficialFilters, ContactFiltersSendWhatTheOfficialSdkSends) {
  const std::string me = "hcp-bob";
  expect_official("Contact.all_for_data_owner", CF::all_for_data_owner(me));
  expect_official("Contact.by_patients_for_data_owner", CF::by_patients_for_data_owner(me, {patient_}));
  expect_official("Contact.by_patient_secret_ids_for_self", CF::by_patient_secret_ids_for_self({"s-2", "s-1"}));
  expect_official("Contact.by_patient_secret_ids_opening_date_for_data_owner.no_options",
                  CF::by_patient_secret_ids_opening_date_for_data_owner(me, {"s-1"}));
  expect_official("Contact.by_tag_and_opening_date_for_data_owner",
                  CF::by_tag_and_opening_date_for_data_owner(me, "CD-ITEM", "consult", {20200101, 20241231}));
  expect_official("Contact.by_code_and_opening_date_for_self.type_only", CF::by_code_and_opening_date_for_self("ICD"));
  expect_official("Contact.by_service_tag_for_data_owner", CF::by_service_tag_for_data_owner(me, "CD-ITEM", "lab"));
  expect_official("Contact.by_service_code_for_data_owner",
                  CF::by_service_code_for_data_owner(me, "LOINC", "2345-7"));
  expect_official("Contact.by_service_ids", CF::by_service_ids({"svc-2", "svc-1"}));
  EXPECT_EQ(checked_, 9u);
}

// The one deliberate difference: the official SDK sends a Contact opening-date range reversed
// (`from` as endDate), which the platform reads as an empty range. The C++ SDK sends it in order.
TEST_F(OfficialFilters, ContactOpeningDateRangeIsSentInOrderNotReversedAsTheOfficialSdkDoes) {
  const Json& want = ref_["cases"]["Contact.by_patients_opening_date_for_data_owner"]["body"];
  ASSERT_EQ(want["startDate"], 20241231);  // what the official SDK sends for from=20200101, to=20241231
  ASSERT_EQ(want["endDate"], 20200101);
  auto got = resolve(CF::by_patients_opening_date_for_data_owner("hcp-bob", {patient_}, {20200101, 20241231, true}), ref_);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  Json fixed = want;
  fixed["startDate"] = 20200101;
  fixed["endDate"] = 20241231;
  EXPECT_EQ(got->body, fixed) << got->body.dump();
}

// Documents: the official SDK RC.7 cannot match Documents; kraken-common's DTOs give the shape.
TEST_F(OfficialFilters, DocumentFiltersFollowKrakenCommon) {
  auto created = resolve(DF::by_patients_created_for_data_owner("hcp-bob", {patient_}, {1577836800000, 1735603200000}), ref_);
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  EXPECT_EQ(created->path, "/rest/v2/document/match");
  Json want = Json::parse(R"({"$type":"DocumentByDataOwnerPatientDateFilter","dataOwnerId":"hcp-bob",
      "secretPatientKeys":[],"startDate":1577836800000,"endDate":1735603200000,"descending":false})");
  want["secretPatientKeys"] = ref_["patient"]["secretIds"];
  EXPECT_EQ(created->body, want) << created->body.dump();

  auto typed = resolve(DF::by_patients_and_type_for_self("labresult", {patient_}), ref_);
  ASSERT_TRUE(typed.ok());
  Json want_typed = Json::parse(R"({"$type":"DocumentByTypeDataOwnerPatientFilter","dataOwnerId":"hcp-bob",
      "documentType":"labresult","secretPatientKeys":[]})");
  want_typed["secretPatientKeys"] = ref_["patient"]["secretIds"];
  EXPECT_EQ(typed->body, want_typed) << typed->body.dump();

  auto tag = resolve(DF::by_tag_for_data_owner("hcp-x", "CD-ITEM", "report"), ref_);
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->body.dump(), R"({"$type":"DocumentByDataOwnerTagFilter","dataOwnerId":"hcp-x","tagType":"CD-ITEM","tagCode":"report"})");
  auto code = resolve(DF::by_code_for_self("LOINC"), ref_);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(code->body.dump(), R"({"$type":"DocumentByDataOwnerCodeFilter","dataOwnerId":"hcp-bob","codeType":"LOINC"})");
}

TEST(FilterResolution, IdsWithoutAServerFilterAreResolvedLocallyDeduplicatedInOrder) {
  api::FilterContext context{"hcp-a", nullptr};
  auto r = api::resolve_filter(ContactFilters::by_ids({"c-2", "c-1", "c-2"}).spec(), "Contact", context);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->body.has_value());
  EXPECT_EQ(r->local_ids, (std::vector<std::string>{"c-2", "c-1"}));
}

TEST(FilterResolution, APatientWhoseSecretIdsThisUserCannotReadFailsTheQuery) {
  api::FilterContext context{"hcp-a", [](const Json&) -> Result<std::vector<std::string>> {
                               return std::vector<std::string>{};
                             }};
  auto r = api::resolve_filter(HE::by_patients_for_self({Json{{"id", "p-9"}}}).spec(), "HealthElement", context);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kKeyNotAvailable);
  EXPECT_NE(r.error().message().find("p-9"), std::string::npos);
}

TEST(FilterResolution, SecretIdsOfSeveralPatientsAreUnitedWithoutRepetition) {
  api::FilterContext context{"hcp-a", [](const Json& p) -> Result<std::vector<std::string>> {
                               if (string_member(p, "id") == "p-1") return std::vector<std::string>{"s1", "s2"};
                               return std::vector<std::string>{"s2", "s3"};
                             }};
  auto r = api::resolve_filter(HE::by_patients_for_self({Json{{"id", "p-1"}}, Json{{"id", "p-2"}}}).spec(),
                               "HealthElement", context);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r->body)["patientSecretForeignKeys"], Json::parse(R"(["s1","s2","s3"])"));
}

TEST(FilterResolution, InvalidArgumentsAreReportedWhenTheQueryRuns) {
  api::FilterContext context{"hcp-a", nullptr};
  const auto code_of = [&](const auto& f, std::string_view type) {
    auto r = api::resolve_filter(f.spec(), type, context);
    return r.ok() ? std::optional<ErrorCode>() : std::optional<ErrorCode>(r.error().code());
  };
  EXPECT_EQ(code_of(HE::by_patient_secret_ids_for_self({}), "HealthElement"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(HE::by_tag_for_self(""), "HealthElement"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(HE::all_for_data_owner(""), "HealthElement"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(PF::by_ssins_for_self({}), "Patient"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(PF::by_date_of_birth_between_for_self(20000101, 19990101), "Patient"), ErrorCode::kInvalidArgument);
  // A filter handed to the API of another entity type (only possible by going around the types).
  EXPECT_EQ(code_of(PF::all_for_self(), "HealthElement"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(FilterOptions<HealthElementKind>(nullptr), "HealthElement"), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(code_of(HE::all_for_self(), "HealthElement").has_value());
}

TEST_F(OfficialFilters, ServiceFiltersSendWhatTheOfficialSdkSends) {
  const std::string me = "hcp-bob";
  expect_official("Service.all_for_data_owner", SF::all_for_data_owner(me));
  expect_official("Service.all_for_self", SF::all_for_self());
  expect_official("Service.by_ids", SF::by_ids({"svc-2", "svc-1", "svc-2"}));
  expect_official("Service.by_tag_and_value_date_for_data_owner",
                  SF::by_tag_and_value_date_for_data_owner(me, "CD-ITEM", "lab", {20200101, 20241231}));
  expect_official("Service.by_tag_and_value_date_for_self.type_only", SF::by_tag_and_value_date_for_self("CD-ITEM"));
  expect_official("Service.by_code_and_value_date_for_data_owner",
                  SF::by_code_and_value_date_for_data_owner(me, "LOINC", "2345-7", {.from = 20200101}));
  expect_official("Service.by_code_and_value_date_for_self.type_only", SF::by_code_and_value_date_for_self("LOINC"));
  expect_official("Service.by_patients_for_data_owner", SF::by_patients_for_data_owner(me, {patient_}));
  expect_official("Service.by_patients_for_self", SF::by_patients_for_self({patient_}));
  expect_official("Service.by_patient_secret_ids_for_data_owner",
                  SF::by_patient_secret_ids_for_data_owner(me, {"s-2", "s-1"}));
  expect_official("Service.by_patients_date_for_self.no_options", SF::by_patients_date_for_self({patient_}));
  expect_official("Service.by_health_element_ids_for_data_owner",
                  SF::by_health_element_ids_for_data_owner(me, {"he-2", "he-1"}));
  expect_official("Service.by_health_element_ids_for_self", SF::by_health_element_ids_for_self({"he-1"}));
  EXPECT_EQ(checked_, 13u);
}

// As for Contacts, the official SDK sends a Service patient-date range reversed; the C++ SDK sends
// it in order (from → startDate, to → endDate).
TEST_F(OfficialFilters, ServicePatientDateRangeIsSentInOrderNotReversedAsTheOfficialSdkDoes) {
  const Json& both = ref_["cases"]["Service.by_patients_date_for_data_owner"]["body"];
  ASSERT_EQ(both["startDate"], 20241231);  // what the official SDK sends for from=20200101, to=20241231
  ASSERT_EQ(both["endDate"], 20200101);
  auto got = resolve(SF::by_patients_date_for_data_owner("hcp-bob", {patient_}, {20200101, 20241231, true}), ref_);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  Json fixed = both;
  fixed["startDate"] = 20200101;
  fixed["endDate"] = 20241231;
  EXPECT_EQ(got->body, fixed) << got->body.dump();

  const Json& to_only = ref_["cases"]["Service.by_patient_secret_ids_date_for_data_owner.to_only"]["body"];
  ASSERT_EQ(to_only["startDate"], 20241231);  // `to` sent as the lower bound
  auto upper = resolve(SF::by_patient_secret_ids_date_for_data_owner("hcp-bob", {"s-1"}, {.to = 20241231}), ref_);
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->body.dump(),
            R"({"$type":"ServiceByDataOwnerPatientDateFilter","dataOwnerId":"hcp-bob","secretForeignKeys":["s-1"],)"
            R"("endDate":20241231,"descending":false})");
}

TEST(FilterResolution, ServiceFiltersRejectEmptyArgumentsAndSendDescendingOnlyWhenAsked) {
  api::FilterContext context{"hcp-a", nullptr};
  EXPECT_FALSE(api::resolve_filter(SF::by_health_element_ids_for_self({}).spec(), "Service", context).ok());
  EXPECT_FALSE(api::resolve_filter(SF::by_tag_and_value_date_for_self("").spec(), "Service", context).ok());
  EXPECT_FALSE(api::resolve_filter(SF::by_patient_secret_ids_for_self({}).spec(), "Service", context).ok());
  EXPECT_FALSE(api::resolve_filter(SF::all_for_self().spec(), "Contact", context).ok());
  auto newest = api::resolve_filter(SF::by_code_and_value_date_for_self("LOINC", "1-8", {.descending = true}).spec(),
                                    "Service", context);
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(newest->body->dump(), R"({"$type":"ServiceByHcPartyTagCodeDateFilter","healthcarePartyId":"hcp-a",)"
                                  R"("codeType":"LOINC","codeCode":"1-8","descending":true})");
}

}  // namespace
