// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Issue 14 §4 through the public API against a real devserver: a patient uses its own record,
// whether its healthcare party created it before the patient had a user (the invitation route)
// or the patient initialises it itself and opens it to its doctor; and a patient that did not
// call reload() still finds what was shared with it since it signed in.

#include <cardinal/http/curl_transport.hpp>
#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"
#include "test_util.hpp"

namespace cardinal {
namespace {

std::unique_ptr<CardinalSdk> sign_in(const testing::DevServer& server, const std::string& login) {
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = login;
  o.password = SecretBytes::from_string("pw");
  o.key_store = std::make_shared<keys::InMemoryKeyStore>();
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  auto sdk = CardinalSdk::initialize(std::move(o));
  EXPECT_TRUE(sdk.ok()) << login << ": " << sdk.error().to_string();
  return sdk.ok() ? std::move(sdk).value() : nullptr;
}

// The devserver's admin call that gives an existing Patient a user (the platform's invitation).
int create_user_for_patient(const testing::DevServer& server, const std::string& login, const std::string& patient) {
  auto transport = CurlTransport::create().value();
  HttpRequest r;
  r.method = "POST";
  r.url = server.base_url() + "/devserver/admin/users";
  r.headers = {{"Content-Type", "application/json"}};
  r.body = Json{{"login", login}, {"password", "pw"}, {"patientId", patient}}.dump();
  auto answer = transport->send(r, CancellationToken{});
  return answer.ok() ? answer->status : -1;
}

TEST(PatientOwnRecord, CreatedByTheHcpBeforeThePatientHasAUser) {
  testing::DevServer server(":memory:", testing::default_seed(), {"--insecure-test-admin"});
  auto alice = sign_in(server, "alice");
  ASSERT_TRUE(alice);
  auto patient = alice->patients().create(
      Json{{"id", "pat-eve"}, {"firstName", "Eve"}, {"lastName", "E"}, {"note", "allergic to penicillin"}});
  ASSERT_OK(patient);
  ASSERT_EQ(create_user_for_patient(server, "eve", "pat-eve"), 200);
  EXPECT_EQ(create_user_for_patient(server, "eve", "pat-eve"), 409) << "the login exists";
  EXPECT_EQ(create_user_for_patient(server, "nobody", "pat-missing"), 404);

  auto eve = sign_in(server, "eve");  // makes and publishes her key pair
  ASSERT_TRUE(eve);
  EXPECT_EQ(eve->crypto().data_owner_id(), "pat-eve");
  // Before any share: a clear answer saying what is missing, not a bare 403.
  auto early = eve->patients().get("pat-eve");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::kKeyNotAvailable);
  EXPECT_NE(early.error().message().find("not shared with this data owner"), std::string::npos)
      << early.error().message();

  auto shared = alice->patients().share("pat-eve", "pat-eve", AccessLevel::kWrite);
  ASSERT_OK(shared);
  EXPECT_EQ(shared->share_outcome, ShareOutcome::kNewShare);
  CreateOptions for_eve;
  for_eve.owning_entity_id = "pat-eve";
  for_eve.secret_foreign_keys = patient->secret_ids;
  for_eve.share_with = {{"pat-eve", AccessLevel::kRead}};
  auto he = alice->health_elements().create(Json{{"descr", "Penicillin allergy"}}, for_eve);
  ASSERT_OK(he);

  // Eve never called reload(): the SDK reloads her exchange data when a share is not found.
  auto own = eve->patients().get("pat-eve");
  ASSERT_OK(own);
  EXPECT_EQ(own->entity["note"], "allergic to penicillin");
  EXPECT_TRUE(own->can_write);
  // The record's key came from her doctor's exchange data: she accepts it before writing.
  EXPECT_EQ(own->provenance, Provenance::kUnverified);
  own = eve->patients().accept_shared_key("pat-eve");
  ASSERT_OK(own);
  EXPECT_EQ(own->provenance, Provenance::kVerified);
  Json changed = own->entity;
  changed["note"] = "allergic to penicillin and amoxicillin";
  ASSERT_OK(eve->patients().modify(changed));
  auto seen = alice->patients().get("pat-eve");
  ASSERT_OK(seen);
  EXPECT_EQ(seen->entity["note"], "allergic to penicillin and amoxicillin");

  auto her_he = eve->health_elements().get(he->entity["id"]);
  ASSERT_OK(her_he);
  EXPECT_EQ(her_he->entity["descr"], "Penicillin allergy");
  EXPECT_FALSE(her_he->can_write);
}

TEST(PatientOwnRecord, APatientInitialisesItsRecordAndOpensItToItsDoctor) {
  testing::DevServer server;
  auto pat = sign_in(server, "pat");
  auto alice = sign_in(server, "alice");
  ASSERT_TRUE(pat && alice);
  auto before = pat->patients().get("pat-1");
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().code(), ErrorCode::kKeyNotAvailable);
  EXPECT_NE(before.error().message().find("initialize_own_patient_record"), std::string::npos)
      << before.error().message();
  EXPECT_ERROR_CODE(alice->initialize_own_patient_record(), ErrorCode::kInvalidArgument);

  auto init = pat->initialize_own_patient_record({{"hcp-alice", AccessLevel::kWrite}});
  ASSERT_OK(init);
  EXPECT_EQ(init->entity["firstName"], "Pat");
  EXPECT_TRUE(init->can_write);
  EXPECT_FALSE(init->secret_ids.empty());
  // Idempotent: a second call changes nothing.
  auto again = pat->initialize_own_patient_record({{"hcp-alice", AccessLevel::kWrite}});
  ASSERT_OK(again);
  EXPECT_EQ(again->entity["rev"], init->entity["rev"]);

  Json mine = init->entity;
  mine["note"] = "my own note";
  ASSERT_OK(pat->patients().modify(mine));
  auto doctor_view = alice->patients().get("pat-1");
  ASSERT_OK(doctor_view);
  EXPECT_EQ(doctor_view->entity["note"], "my own note");
  EXPECT_TRUE(doctor_view->can_write);

  // The doctor records a health element for the patient and shares it with her.
  CreateOptions for_pat;
  for_pat.owning_entity_id = "pat-1";
  for_pat.secret_foreign_keys = doctor_view->secret_ids;
  for_pat.share_with = {{"pat-1", AccessLevel::kRead}};
  auto he = alice->health_elements().create(Json{{"descr", "Hay fever"}}, for_pat);
  ASSERT_OK(he);
  auto read = pat->health_elements().get(he->entity["id"]);  // no reload() called
  ASSERT_OK(read);
  EXPECT_EQ(read->entity["descr"], "Hay fever");
}

TEST(PatientOwnRecord, ARecordNeverSharedWithThePatientSaysSo) {
  testing::DevServer server;
  auto pat = sign_in(server, "pat");
  auto alice = sign_in(server, "alice");
  ASSERT_TRUE(pat && alice);
  auto he = alice->health_elements().create(Json{{"descr", "private"}});
  ASSERT_OK(he);
  auto r = pat->health_elements().get(he->entity["id"]);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.error().message().find("not shared with data owner pat-1"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace cardinal
