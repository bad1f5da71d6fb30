// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The typed entity APIs of the public facade: match / filter with typed filters, the owning
// patient of an entity, try_decrypt; and a filter of the wrong kind does not compile.

#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"
#include "test_util.hpp"

#include <concepts>

namespace cardinal {
namespace {

// A filter is accepted only by the API of its kind (the checks run at compile time).
template <class Api, class Filter>
concept AcceptsFilter = requires(Api& api, const Filter& f) {
  api.match(f);
  api.filter(f);
};
static_assert(AcceptsFilter<HealthElementApi, FilterOptions<HealthElementKind>>);
static_assert(AcceptsFilter<PatientApi, FilterOptions<PatientKind>>);
static_assert(!AcceptsFilter<HealthElementApi, FilterOptions<PatientKind>>);
static_assert(!AcceptsFilter<PatientApi, FilterOptions<HealthElementKind>>);
static_assert(!AcceptsFilter<ContactApi, FilterOptions<DocumentKind>>);
static_assert(!AcceptsFilter<EntityApi, FilterOptions<HealthElementKind>>);  // the untyped API has no queries
// The typed APIs are EntityApis: code written against EntityApi keeps working.
static_assert(std::derived_from<HealthElementApi, EntityApi>);
static_assert(std::is_same_v<decltype(std::declval<CardinalSdk&>().health_elements()), HealthElementApi&>);
static_assert(std::is_same_v<decltype(std::declval<CardinalSdk&>().patients()), PatientApi&>);

Result<std::unique_ptr<CardinalSdk>> sign_in(const testing::DevServer& server, const std::string& login) {
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = login;
  o.password = SecretBytes::from_string("pw");
  o.key_store = std::make_shared<keys::InMemoryKeyStore>();
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  return CardinalSdk::initialize(std::move(o));
}

TEST(FacadeQueries, ListsAPatientsHealthElementsPageByPageAndFindsItsOwner) {
  testing::DevServer server;
  auto alice = sign_in(server, "alice");
  ASSERT_OK(alice);
  auto bob = sign_in(server, "bob");
  ASSERT_OK(bob);
  CardinalSdk& sdk = **alice;

  CreateOptions to_bob;
  to_bob.share_with = {{"hcp-bob", AccessLevel::kRead}};
  auto patient = sdk.patients().create(Json{{"firstName", "Fay"}, {"lastName", "Cade"}}, to_bob);
  ASSERT_OK(patient);
  CreateOptions of_patient = to_bob;
  of_patient.owning_entity_id = string_member(patient->entity, "id");
  of_patient.secret_foreign_keys = patient->secret_ids;
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) {
    auto he = sdk.health_elements().create(Json{{"descr", "he " + std::to_string(i)}, {"openingDate", 20200101 + i}},
                                           of_patient);
    ASSERT_OK(he);
    created.push_back(string_member(he->entity, "id"));
  }

  // Newest first, in pages of two: three byIds requests, lazily.
  auto it = sdk.health_elements().filter(
      HealthElementFilters::by_patients_opening_date_for_self({patient->entity}, {.descending = true}),
      {.page_size = 2});
  ASSERT_OK(it);
  EXPECT_EQ(it->ids(), (std::vector<std::string>{created.rbegin(), created.rend()}));
  std::vector<std::string> descrs;
  int pages = 0;
  while (it->has_next()) {
    auto page = it->next();
    ASSERT_OK(page);
    ++pages;
    EXPECT_TRUE(page->issues.empty());
    for (const auto& he : page->entities) descrs.push_back(he.entity["descr"].get<std::string>());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(descrs, (std::vector<std::string>{"he 4", "he 3", "he 2", "he 1", "he 0"}));

  // Bob, with whom they were shared, finds them through his own view of the patient.
  auto bobs_patient = (*bob)->patients().get(string_member(patient->entity, "id"));
  ASSERT_OK(bobs_patient);
  auto bobs = (*bob)->health_elements().match(HealthElementFilters::by_patients_for_self({bobs_patient->entity}));
  ASSERT_OK(bobs);
  EXPECT_EQ(bobs->size(), 5u);
  auto by_name = (*bob)->patients().match(PatientFilters::by_name_for_self("Fay"));
  ASSERT_OK(by_name);
  EXPECT_EQ(*by_name, std::vector<std::string>{string_member(patient->entity, "id")});

  // The owning patient of a health element, as each of them reads it.
  auto he = sdk.health_elements().get(created[0]);
  ASSERT_OK(he);
  auto owner = sdk.health_elements().decrypt_patient_id_of(he->entity);
  ASSERT_OK(owner);
  EXPECT_EQ(owner->ids, std::vector<std::string>{string_member(patient->entity, "id")});
  EXPECT_EQ(owner->provenance, Provenance::kVerified);
  auto owner_for_bob = (*bob)->health_elements().decrypt_patient_id_of(he->entity);
  ASSERT_OK(owner_for_bob);
  EXPECT_EQ(owner_for_bob->ids, owner->ids);
  EXPECT_EQ(owner_for_bob->provenance, Provenance::kUnverified);  // reached bob through alice's exchange data
}

TEST(FacadeQueries, TryDecryptReturnsWhatItCannotOpenAsGiven) {
  testing::DevServer server;
  auto alice = sign_in(server, "alice");
  ASSERT_OK(alice);
  auto carol = sign_in(server, "carol");
  ASSERT_OK(carol);
  auto he = (*alice)->health_elements().create(Json{{"descr", "private"}});
  ASSERT_OK(he);
  auto mine = (*alice)->health_elements().try_decrypt(he->entity);
  ASSERT_OK(mine);
  EXPECT_TRUE(mine->decrypted);
  EXPECT_EQ(mine->entity.entity["descr"], "private");
  Json encrypted = he->entity;
  encrypted.erase("descr");  // as stored: the content is only in encryptedSelf
  auto hers = (*carol)->health_elements().try_decrypt(encrypted);
  ASSERT_OK(hers);
  EXPECT_FALSE(hers->decrypted);
  ASSERT_TRUE(hers->error.has_value());
  EXPECT_EQ(hers->error->code(), ErrorCode::kKeyNotAvailable);
  EXPECT_EQ(hers->entity.entity, encrypted);
  // And a query of hers does not see it.
  auto none = (*carol)->health_elements().match(HealthElementFilters::all_for_self());
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace cardinal
