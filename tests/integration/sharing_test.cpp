// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Sharing at scale (issue 12) against a real devserver: one entity with many delegates, each with
// its own options, in one request; many entities in one request with per-entity and per-delegate
// results; a stale copy; the patient and all its data.

#include <cardinal/sdk/filters.hpp>

#include "share_support.hpp"
#include "share_world.hpp"

#include <algorithm>

namespace cardinal {
namespace {

using testing::alice_he;
using testing::ShareWorld;

constexpr const char* kBulkShare = "PUT /rest/v2/helement/bulkSharedMetadataUpdate";

// The owning-entity ids a reader decrypts in an entity.
std::vector<std::string> owners_seen_by(testing::ShareClient& reader, const std::string& id) {
  auto e = reader.core->get("HealthElement", id);
  if (!e.ok()) return {"<unreadable>"};
  auto owners = reader.core->owning_entity_ids("HealthElement", e->entity);
  return owners.ok() ? owners->ids : std::vector<std::string>{"<error>"};
}

TEST(ShareWithMany, ThreeDelegatesEachWithItsOptionsInOneRequest) {
  ShareWorld w;
  auto patient = w.alice.core->create("Patient", Json{{"firstName", "Ann"}, {"note", "n"}}, {});
  ASSERT_OK(patient);
  // Warm: exchange data to each delegate exist.
  ASSERT_OK(alice_he(w, "warm-up", nullptr, {{"hcp-bob", AccessLevel::kRead}, {"hcp-carol", AccessLevel::kRead},
                                             {"pat-1", AccessLevel::kRead}}));
  auto he = alice_he(w, "asthma", &*patient);
  ASSERT_OK(he);
  const std::string id = he->entity["id"];

  w.alice.reset();
  std::vector<EntityToShare> one{EntityToShare{
      he->entity,
      {{"hcp-bob", ShareOptions{}},
       {"hcp-carol", ShareOptions{.level = AccessLevel::kWrite,
                                  .share_secret_ids = SecretIdsToShare::none(),
                                  .share_owning_entity_ids = ShareMetadataBehaviour::kNever}},
       {"pat-1", ShareOptions{.share_encryption_key = ShareMetadataBehaviour::kRequired}}}}};
  auto shared = w.alice.core->share_many("HealthElement", one);
  ASSERT_OK(shared);
  ASSERT_EQ(shared->size(), 1u);
  ASSERT_OK(shared->front());
  const EntityShareResult& r = *shared->front();
  ASSERT_OK(r.status());
  ASSERT_EQ(r.delegates.size(), 3u);
  for (const auto& [delegate, outcome] : r.delegates) {
    ASSERT_OK(outcome);
    EXPECT_EQ(*outcome, ShareOutcome::kNewShare) << delegate;
  }
  EXPECT_EQ(w.alice.count(kBulkShare), 1) << w.alice.dump();
  EXPECT_EQ(w.alice.count("POST /rest/v2/dataowner/stub/byIds"), 1) << "the delegates' keys in one request";
  EXPECT_EQ(w.alice.total(), 2) << w.alice.dump();
  EXPECT_EQ(r.entity.entity["descr"], "asthma");
  EXPECT_EQ(r.entity.entity["rev"].get<std::string>().substr(0, 1), "2") << "the stored version after the share";

  // Each delegate got what its options say.
  auto by_bob = w.bob.core->get("HealthElement", id);
  ASSERT_OK(by_bob);
  EXPECT_EQ(by_bob->entity["note"], "note of asthma");
  EXPECT_FALSE(by_bob->can_write);
  EXPECT_EQ(by_bob->secret_ids, he->secret_ids);
  EXPECT_EQ(owners_seen_by(w.bob, id), std::vector<std::string>{patient->entity["id"].get<std::string>()});
  auto by_carol = w.carol.core->get("HealthElement", id);
  ASSERT_OK(by_carol);
  EXPECT_TRUE(by_carol->can_write);
  EXPECT_TRUE(by_carol->secret_ids.empty()) << "share_secret_ids = none()";
  EXPECT_TRUE(owners_seen_by(w.carol, id).empty()) << "share_owning_entity_ids = kNever";
  ASSERT_OK(w.pat.core->exchange_data().load_all());
  auto by_pat = w.pat.core->get("HealthElement", id);
  ASSERT_OK(by_pat);
  EXPECT_EQ(by_pat->entity["descr"], "asthma");

  // Again, on the version the share returned: everything is in place, nothing is sent.
  w.alice.reset();
  one.front().entity = r.entity.entity;
  auto again = w.alice.core->share_many("HealthElement", one);
  ASSERT_OK(again);
  ASSERT_OK(again->front());
  for (const auto& [delegate, outcome] : again->front()->delegates) {
    ASSERT_OK(outcome);
    EXPECT_EQ(*outcome, ShareOutcome::kAlreadyShared) << delegate;
  }
  EXPECT_EQ(w.alice.count(kBulkShare), 0) << w.alice.dump();
}

TEST(ShareWithMany, ASubsetOfTheSecretIds) {
  ShareWorld w;
  auto he = alice_he(w, "two secret ids");
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  const std::string first = he->secret_ids.front();
  ASSERT_OK(testing::add_own_secret_id(*w.alice.core, *w.alice.backend, "HealthElement", he->entity, "second-secret"));
  auto both = w.alice.core->get("HealthElement", id);
  ASSERT_OK(both);
  ASSERT_EQ(both->secret_ids.size(), 2u);

  std::vector<EntityToShare> one{EntityToShare{
      both->entity,
      {{"hcp-bob", ShareOptions{.share_secret_ids = SecretIdsToShare::exactly({"second-secret"})}},
       {"hcp-carol", ShareOptions{.share_secret_ids = SecretIdsToShare::exactly({first, "made-up"})}},
       {"pat-1", ShareOptions{}}}}};
  auto shared = w.alice.core->share_many("HealthElement", one);
  ASSERT_OK(shared);
  ASSERT_OK(shared->front());
  const auto& r = *shared->front();
  ASSERT_OK(r.delegates.at("hcp-bob"));
  ASSERT_OK(r.delegates.at("pat-1"));
  EXPECT_ERROR_CODE(r.delegates.at("hcp-carol"), ErrorCode::kInvalidArgument);
  const std::string& why = r.delegates.at("hcp-carol").error().message();
  EXPECT_NE(why.find(id), std::string::npos) << why;
  EXPECT_NE(why.find("hcp-carol"), std::string::npos) << why;
  EXPECT_EQ(why.find("made-up"), std::string::npos) << "secret ids are not repeated in messages: " << why;
  auto status = r.status();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("hcp-carol"), std::string::npos);

  auto by_bob = w.bob.core->get("HealthElement", id);
  ASSERT_OK(by_bob);
  EXPECT_EQ(by_bob->secret_ids, std::vector<std::string>{"second-secret"});
  ASSERT_OK(w.pat.core->exchange_data().load_all());
  auto by_pat = w.pat.core->get("HealthElement", id);
  ASSERT_OK(by_pat);
  EXPECT_EQ(by_pat->secret_ids.size(), 2u) << "the default: every secret id";
  EXPECT_FALSE(w.carol.core->get("HealthElement", id).ok()) << "nothing was sent for carol";
}

TEST(ShareWithMany, ARequiredItemTheSharerLacksFailsThatDelegateOnly) {
  ShareWorld w;
  auto he = alice_he(w, "no patient");  // no owning entity id
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  std::vector<EntityToShare> one{EntityToShare{
      he->entity,
      {{"hcp-bob", ShareOptions{.share_owning_entity_ids = ShareMetadataBehaviour::kRequired}},
       {"hcp-carol", ShareOptions{.share_encryption_key = ShareMetadataBehaviour::kNever}}}}};
  w.alice.reset();
  auto shared = w.alice.core->share_many("HealthElement", one);
  ASSERT_OK(shared);
  ASSERT_OK(shared->front());
  const auto& r = *shared->front();
  EXPECT_ERROR_CODE(r.delegates.at("hcp-bob"), ErrorCode::kKeyNotAvailable);
  const std::string& why = r.delegates.at("hcp-bob").error().message();
  EXPECT_NE(why.find(id), std::string::npos) << why;
  EXPECT_NE(why.find("hcp-bob"), std::string::npos) << why;
  ASSERT_OK(r.delegates.at("hcp-carol"));
  EXPECT_EQ(w.alice.count(kBulkShare), 1);
  EXPECT_FALSE(w.bob.core->get("HealthElement", id).ok()) << "nothing was sent for bob";
  // Carol's delegation holds no key: she finds it but cannot read it, until the key is shared.
  EXPECT_FALSE(w.carol.core->get("HealthElement", id).ok());
  // Nor pass on a key she does not hold: required, it fails for that delegate; if available, the
  // delegate gets what she has (the secret ids).
  auto carols = w.carol.backend->get_entity("HealthElement", id, {});
  ASSERT_OK(carols);
  auto onward = w.carol.core->share_many(
      "HealthElement", {EntityToShare{*carols, {{"pat-1", {.share_encryption_key = ShareMetadataBehaviour::kRequired}},
                                                {"hcp-bob", {}}}}});
  ASSERT_OK(onward);
  ASSERT_OK(onward->front());
  EXPECT_ERROR_CODE(onward->front()->delegates.at("pat-1"), ErrorCode::kKeyNotAvailable);
  ASSERT_OK(onward->front()->delegates.at("hcp-bob"));  // bob gets what carol holds (the secret ids)
  EXPECT_FALSE(onward->front()->decrypted.ok()) << "carol cannot decrypt it: returned as stored";
  EXPECT_FALSE(onward->front()->entity.entity.contains("note")) << "nothing in clear";
  EXPECT_FALSE(w.bob.core->get("HealthElement", id).ok()) << "a delegation without key";
  auto extended = w.alice.core->share("HealthElement", id, "hcp-carol", AccessLevel::kRead);
  ASSERT_OK(extended);
  EXPECT_EQ(extended->share_outcome, ShareOutcome::kExtended);
  ASSERT_OK(w.carol.core->get("HealthElement", id));
}

TEST(ShareMany, FiveEntitiesThreeDelegatesInOneBulkRequest) {
  ShareWorld w;
  const std::vector<std::pair<std::string, AccessLevel>> all = {
      {"hcp-bob", AccessLevel::kRead}, {"hcp-carol", AccessLevel::kRead}, {"pat-1", AccessLevel::kRead}};
  ASSERT_OK(alice_he(w, "warm-up", nullptr, all));  // exchange data exist
  std::vector<EntityToShare> batch;
  for (int i = 0; i < 5; ++i) {
    auto he = alice_he(w, "he " + std::to_string(i));
    ASSERT_OK(he);
    batch.push_back(EntityToShare{he->entity, {{"hcp-bob", {}}, {"hcp-carol", {.level = AccessLevel::kWrite}}, {"pat-1", {}}}});
  }
  batch.push_back(batch[1]);                                      // given twice
  batch.push_back(EntityToShare{Json{{"descr", "no id"}}, {{"hcp-bob", {}}}});  // no id
  w.alice.reset();
  auto shared = w.alice.core->share_many("HealthElement", batch);
  ASSERT_OK(shared);
  ASSERT_EQ(shared->size(), batch.size());
  std::cout << "share 5 entities × 3 delegates: " << w.alice.total() << " requests\n" << w.alice.dump();
  EXPECT_EQ(w.alice.count(kBulkShare), 1) << w.alice.dump();
  EXPECT_LE(w.alice.total(), 2) << "one bulk share (+ the delegates' stubs)\n" << w.alice.dump();
  for (std::size_t i = 0; i < 5; ++i) {
    ASSERT_OK((*shared)[i]);
    ASSERT_OK((*shared)[i]->status());
    EXPECT_EQ(*(*shared)[i]->delegates.at("hcp-carol"), ShareOutcome::kNewShare);
  }
  EXPECT_ERROR_CODE((*shared)[5], ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE((*shared)[6], ErrorCode::kInvalidArgument);
  ASSERT_OK(w.pat.core->exchange_data().load_all());
  for (std::size_t i = 0; i < 5; ++i) {
    const std::string id = batch[i].entity["id"];
    ASSERT_OK(w.bob.core->get("HealthElement", id));
    auto by_carol = w.carol.core->get("HealthElement", id);
    ASSERT_OK(by_carol);
    EXPECT_TRUE(by_carol->can_write);
    ASSERT_OK(w.pat.core->get("HealthElement", id));
  }
}

TEST(ShareMany, AStaleCopyIsRebuiltOnTheCurrentVersion) {
  ShareWorld w;
  auto he = alice_he(w, "stale");
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  ASSERT_OK(w.alice.core->share("HealthElement", id, "hcp-bob", AccessLevel::kRead));  // the copy is now stale
  w.alice.reset();
  std::vector<EntityToShare> stale{EntityToShare{he->entity, {{"hcp-bob", {}}, {"hcp-carol", {}}}}};
  auto shared = w.alice.core->share_many("HealthElement", stale);
  ASSERT_OK(shared);
  ASSERT_OK(shared->front());
  ASSERT_OK(shared->front()->status());
  EXPECT_EQ(*shared->front()->delegates.at("hcp-bob"), ShareOutcome::kAlreadyShared)
      << "refused on the stale copy, found in place on the current one";
  EXPECT_EQ(*shared->front()->delegates.at("hcp-carol"), ShareOutcome::kNewShare);
  EXPECT_EQ(w.alice.count(kBulkShare), 1) << "carol's was applied; bob's needed no second request\n" << w.alice.dump();
  auto delegations = model::secure_delegations_of(shared->front()->entity.entity);
  ASSERT_OK(delegations);
  EXPECT_EQ(delegations->size(), 3u) << "root, bob, carol: nothing duplicated";
  ASSERT_OK(w.carol.core->get("HealthElement", id));
}

TEST(ShareMany, AWriteShareByAReaderIsRefusedForThatDelegate) {
  ShareWorld w;
  auto he = alice_he(w, "read only", nullptr, {{"hcp-bob", AccessLevel::kRead}});
  ASSERT_OK(he);
  auto mine = w.bob.core->get("HealthElement", he->entity["id"]);
  ASSERT_OK(mine);
  std::vector<EntityToShare> one{
      EntityToShare{mine->entity, {{"hcp-carol", {.level = AccessLevel::kWrite}}, {"pat-1", {}}}}};
  auto shared = w.bob.core->share_many("HealthElement", one);
  ASSERT_OK(shared);
  ASSERT_OK(shared->front());
  EXPECT_ERROR_CODE(shared->front()->delegates.at("hcp-carol"), ErrorCode::kPermissionDenied);
  ASSERT_OK(shared->front()->delegates.at("pat-1"));
}

TEST(ShareAllDataOfPatient, ThePatientAndEverythingFoundForIt) {
  ShareWorld w;
  auto patient = w.alice.core->create("Patient", Json{{"firstName", "Ann"}, {"note", "n"}}, {});
  ASSERT_OK(patient);
  auto other = w.alice.core->create("Patient", Json{{"firstName", "Other"}}, {});
  ASSERT_OK(other);
  const std::string pid = patient->entity["id"];
  CreateOptions of_patient{pid, patient->secret_ids, {}};
  std::vector<std::string> hes, contacts, documents;
  for (int i = 0; i < 3; ++i) {
    auto he = alice_he(w, "he " + std::to_string(i), &*patient);
    ASSERT_OK(he);
    hes.push_back(he->entity["id"]);
  }
  for (int i = 0; i < 2; ++i) {
    auto c = w.alice.core->create("Contact", Json{{"descr", "visit"}, {"openingDate", 20240101 + i}}, of_patient);
    ASSERT_OK(c);
    contacts.push_back(c->entity["id"]);
  }
  auto doc = w.alice.core->create("Document", Json{{"name", "lab"}, {"created", 1700000000000}}, of_patient);
  ASSERT_OK(doc);
  documents.push_back(doc->entity["id"]);
  auto elsewhere = alice_he(w, "another patient's", &*other);
  ASSERT_OK(elsewhere);

  w.alice.reset();
  auto r = w.alice.core->share_all_data_of_patient(pid, {{"hcp-bob", ShareOptions{}}});
  ASSERT_OK(r);
  ASSERT_OK(r->status());
  std::cout << "share all data of a patient (3 health elements, 2 contacts, 1 document): " << w.alice.total()
            << " requests\n" << w.alice.dump();
  for (const char* p : {"patient", "helement", "contact", "document"}) {
    EXPECT_EQ(w.alice.count(std::string("PUT /rest/v2/") + p + "/bulkSharedMetadataUpdate"), 1) << p;
  }
  for (const char* p : {"helement", "contact", "document"}) {
    EXPECT_EQ(w.alice.count(std::string("POST /rest/v2/") + p + "/match"), 1) << p;
    EXPECT_EQ(w.alice.count(std::string("POST /rest/v2/") + p + "/byIds"), 1) << p;
  }
  EXPECT_EQ(w.alice.count("GET /rest/v2/dataowner/stub/hcp-bob"), 1) << "the delegate's keys, once";
  ASSERT_OK(r->patient);
  ASSERT_EQ(r->data.size(), 3u);
  std::map<std::string, std::vector<std::string>> expected = {
      {"HealthElement", hes}, {"Contact", contacts}, {"Document", documents}};
  for (const auto& d : r->data) {
    ASSERT_OK(d.search);
    auto ids = d.ids;
    std::sort(ids.begin(), ids.end());
    auto want = expected.at(d.entity_type);
    std::sort(want.begin(), want.end());
    EXPECT_EQ(ids, want) << d.entity_type;
    ASSERT_EQ(d.results.size(), d.ids.size());
    for (const auto& e : d.results) ASSERT_OK(e);
  }
  // Bob reads the patient, finds its data with his own query, and reads it.
  auto by_bob = w.bob.core->get("Patient", pid);
  ASSERT_OK(by_bob);
  auto found = w.bob.core->match("HealthElement", HealthElementFilters::by_patients_for_self({by_bob->entity}).spec());
  ASSERT_OK(found);
  EXPECT_EQ(found->ids.size(), 3u);
  for (const auto& id : hes) ASSERT_OK(w.bob.core->get("HealthElement", id));
  for (const auto& id : contacts) ASSERT_OK(w.bob.core->get("Contact", id));
  ASSERT_OK(w.bob.core->get("Document", documents.front()));
  EXPECT_FALSE(w.bob.core->get("HealthElement", elsewhere->entity["id"]).ok()) << "another patient's data stays";

  // Secret ids chosen per entity make no sense for all of a patient's data.
  EXPECT_ERROR_CODE(w.alice.core->share_all_data_of_patient(
                        pid, {{"hcp-bob", {.share_secret_ids = SecretIdsToShare::exactly({"x"})}}}),
                    ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(w.alice.core->share_all_data_of_patient(pid, {}), ErrorCode::kInvalidArgument);
}

TEST(ShareMany, TheCurrentDataOwnerIsNoDelegateExceptThroughAcceptSharedKey) {
  ShareWorld w;
  auto he = alice_he(w, "to self");
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  w.alice.reset();
  auto r = w.alice.core->share_many("HealthElement", {EntityToShare{he->entity, {{"hcp-alice", {}}, {"hcp-bob", {}}}}});
  ASSERT_OK(r);
  EXPECT_ERROR_CODE(r->front(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r->front().error().message().find("hcp-alice"), std::string::npos) << r->front().error().message();
  EXPECT_EQ(w.alice.count(kBulkShare), 0) << "nothing is sent";
  EXPECT_ERROR_CODE(w.alice.core->share("HealthElement", id, "hcp-alice", AccessLevel::kWrite), ErrorCode::kInvalidArgument);
  auto patient = w.alice.core->create("Patient", Json{{"firstName", "Ann"}}, {});
  ASSERT_OK(patient);
  auto all = w.alice.core->share_all_data_of_patient(patient->entity["id"], {{"hcp-alice", {}}});
  EXPECT_ERROR_CODE(all, ErrorCode::kInvalidArgument);
  EXPECT_NE(all.error().message().find("hcp-alice"), std::string::npos) << all.error().message();

  // The single share with another delegate, and accept_shared_key, still work.
  auto shared = w.alice.core->share("HealthElement", id, "hcp-bob", AccessLevel::kWrite);
  ASSERT_OK(shared);
  EXPECT_EQ(shared->share_outcome, ShareOutcome::kNewShare);
  auto by_bob = w.bob.core->get("HealthElement", id);
  ASSERT_OK(by_bob);
  EXPECT_EQ(by_bob->provenance, Provenance::kUnverified);
  auto accepted = w.bob.core->accept_shared_key("HealthElement", id);
  ASSERT_OK(accepted);
  EXPECT_EQ(accepted->provenance, Provenance::kVerified);
}

}  // namespace
}  // namespace cardinal
