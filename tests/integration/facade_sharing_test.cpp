// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Sharing at scale through the public API (CardinalSdk over CurlTransport, a real devserver):
// share_with_many fails when one delegate fails (naming it) while try_share_with_many reports per
// delegate; share_all_data_of_patient through the facade.

#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"
#include "test_util.hpp"

namespace cardinal {
namespace {

Result<std::unique_ptr<CardinalSdk>> sign_in(const testing::DevServer& server, const std::string& login) {
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = login;
  o.password = SecretBytes::from_string("pw");
  o.key_store = std::make_shared<keys::InMemoryKeyStore>();
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  return CardinalSdk::initialize(std::move(o));
}

TEST(FacadeSharing, ShareWithManyFailsNamingTheDelegateThatFailedTryReportsEach) {
  testing::DevServer server;
  auto alice = sign_in(server, "alice");
  ASSERT_OK(alice);
  auto bob = sign_in(server, "bob");
  ASSERT_OK(bob);
  auto carol = sign_in(server, "carol");
  ASSERT_OK(carol);
  auto he = (*alice)->health_elements().create(Json{{"descr", "asthma"}});
  ASSERT_OK(he);
  const std::string id = he->entity["id"];

  auto shared = (*alice)->health_elements().share_with_many(he->entity, {{"hcp-bob", {}}, {"hcp-nobody", {}}});
  EXPECT_ERROR_CODE(shared, ErrorCode::kNotFound);
  EXPECT_NE(shared.error().message().find("hcp-nobody"), std::string::npos) << shared.error().message();
  ASSERT_OK((*bob)->health_elements().get(id));  // the other delegate was shared with

  auto tried = (*alice)->health_elements().try_share_with_many(
      he->entity, {{"hcp-bob", {}}, {"hcp-carol", {.level = AccessLevel::kWrite}}, {"hcp-nobody", {}}});
  ASSERT_OK(tried);
  EXPECT_EQ(*tried->delegates.at("hcp-bob"), ShareOutcome::kAlreadyShared);
  EXPECT_EQ(*tried->delegates.at("hcp-carol"), ShareOutcome::kNewShare);
  EXPECT_ERROR_CODE(tried->delegates.at("hcp-nobody"), ErrorCode::kNotFound);
  EXPECT_FALSE(tried->status().ok());
  auto by_carol = (*carol)->health_elements().get(id);
  ASSERT_OK(by_carol);
  EXPECT_TRUE(by_carol->can_write);

  auto all_ok = (*alice)->health_elements().share_with_many(tried->entity.entity, {{"hcp-bob", {}}, {"hcp-carol", {}}});
  ASSERT_OK(all_ok);
  EXPECT_EQ(all_ok->entity["descr"], "asthma");
  EXPECT_ERROR_CODE((*alice)->health_elements().share_with_many(he->entity, {}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE((*alice)->health_elements().share_with_many(Json{{"descr", "no id"}}, {{"hcp-bob", {}}}),
                    ErrorCode::kInvalidArgument);
}

TEST(FacadeSharing, ShareAllDataOfPatient) {
  testing::DevServer server;
  auto alice = sign_in(server, "alice");
  ASSERT_OK(alice);
  auto bob = sign_in(server, "bob");
  ASSERT_OK(bob);
  auto patient = (*alice)->patients().create(Json{{"firstName", "Ann"}, {"note", "private"}});
  ASSERT_OK(patient);
  const std::string pid = patient->entity["id"];
  auto he = (*alice)->health_elements().create(Json{{"descr", "asthma"}}, {pid, patient->secret_ids, {}});
  ASSERT_OK(he);
  auto r = (*alice)->share_all_data_of_patient(pid, {{"hcp-bob", {.level = AccessLevel::kWrite}}});
  ASSERT_OK(r);
  ASSERT_OK(r->status());
  auto p = (*bob)->patients().get(pid);
  ASSERT_OK(p);
  EXPECT_EQ(p->entity["note"], "private");
  EXPECT_TRUE(p->can_write);
  auto found = (*bob)->health_elements().match(HealthElementFilters::by_patients_for_self({p->entity}));
  ASSERT_OK(found);
  EXPECT_EQ(*found, std::vector<std::string>{he->entity["id"].get<std::string>()});
  EXPECT_ERROR_CODE((*alice)->share_all_data_of_patient("no-such-patient", {{"hcp-bob", {}}}), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cardinal
