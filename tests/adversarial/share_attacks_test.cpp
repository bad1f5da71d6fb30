// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Sharing at scale against a server that lies in its bulk share answers (issue 12): it refuses one
// of several delegates, leaves an entity out, answers for an entity not asked or twice for one,
// says it applied what it did not, or returns an updated entity whose new delegation is not what
// was sent (other exchange data, another key). Each is reported per entity / per delegate, the
// answer is not trusted, and sharing again repairs without duplicating anything.

#include "forge_delegation.hpp"
#include "share_world.hpp"

#include <cardinal/crypto/encoding.hpp>

#include <algorithm>

namespace cardinal {
namespace {

using testing::alice_he;
using testing::ShareWorld;
using Interceptor = testing::ShareClient::Interceptor;

bool is_bulk_share(const transport::ApiRequest& r) {
  return r.method == "PUT" && r.path.find("/bulkSharedMetadataUpdate") != std::string::npos;
}

// Rewrites bulk share requests and answers: `request(body)` before it is sent, `answer(array)`
// after; other requests pass through.
Interceptor rewrite_share(std::function<void(Json&)> request, std::function<void(Json&)> answer) {
  return [request, answer](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    if (!is_bulk_share(r)) return inner(r);
    transport::ApiRequest sent = r;
    if (request) {
      Json body = parse_json(r.body).value();
      request(body);
      sent.body = body.dump();
    }
    auto resp = inner(sent);
    if (!resp.ok() || resp->status != 200 || !answer) return resp;
    Json j = parse_json(resp->body).value();
    answer(j);
    resp->body = j.dump();
    return resp;
  };
}

// The item of `entity_id` in a bulk share answer.
Json* item_of(Json& answer, const std::string& entity_id) {
  for (auto& item : answer) {
    if (item.value("entityId", "") == entity_id) return &item;
  }
  return nullptr;
}

// The delegations to `delegate` in an entity.
std::vector<Json*> delegations_to(Json& entity, const std::string& delegate) {
  std::vector<Json*> out;
  for (auto& [k, d] : entity["securityMetadata"]["secureDelegations"].items()) {
    if (d.value("delegate", "") == delegate) out.push_back(&d);
  }
  return out;
}

const ShareDelegates kThree = {{"hcp-bob", {}}, {"hcp-carol", {}}, {"pat-1", {}}};  // requests "0", "1", "2"

TEST(ShareAttacks, OneOfSeveralDelegatesRefusedIsAnErrorForThatDelegateOnly) {
  ShareWorld w;
  auto he = alice_he(w, "refused for carol");
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  // The server drops carol's request and says it refused it.
  w.alice.interceptor = rewrite_share(
      [&](Json& body) { body["requestsByEntityId"][id]["requests"].erase("1"); },
      [&](Json& answer) {
        item_of(answer, id)->operator[]("rejectedRequests")["1"] = Json{{"code", 403}, {"reason", "not allowed"}};
      });
  std::vector<EntityToShare> one{EntityToShare{he->entity, kThree}};
  auto r = w.alice.core->share_many("HealthElement", one);
  ASSERT_OK(r);
  ASSERT_OK(r->front());
  const auto& result = *r->front();
  ASSERT_OK(result.delegates.at("hcp-bob"));
  ASSERT_OK(result.delegates.at("pat-1"));
  EXPECT_ERROR_CODE(result.delegates.at("hcp-carol"), ErrorCode::kPermissionDenied);
  const std::string& why = result.delegates.at("hcp-carol").error().message();
  EXPECT_NE(why.find(id), std::string::npos) << why;
  EXPECT_NE(why.find("hcp-carol"), std::string::npos) << why;
  auto status = result.status();
  ASSERT_FALSE(status.ok()) << "a partial failure is never a whole success";
  EXPECT_NE(status.error().message().find("hcp-carol"), std::string::npos);
  EXPECT_EQ(w.alice.count("PUT /rest/v2/helement/bulkSharedMetadataUpdate"), 1) << "a refusal is not retried";
  EXPECT_FALSE(w.carol.core->get("HealthElement", id).ok());
  ASSERT_OK(w.bob.core->get("HealthElement", id));
  // Sharing again (an honest server now): carol only is sent.
  w.alice.interceptor = nullptr;
  auto again = w.alice.core->share_many("HealthElement", {EntityToShare{r->front()->entity.entity, kThree}});
  ASSERT_OK(again);
  ASSERT_OK(again->front());
  EXPECT_EQ(*again->front()->delegates.at("hcp-carol"), ShareOutcome::kNewShare);
  EXPECT_EQ(*again->front()->delegates.at("hcp-bob"), ShareOutcome::kAlreadyShared);
  ASSERT_OK(w.carol.core->get("HealthElement", id));
}

TEST(ShareAttacks, ARetryAskedForIsRebuiltAndSentAgain) {
  ShareWorld w;
  auto he = alice_he(w, "retry carol");
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  int rounds = 0;
  w.alice.interceptor = rewrite_share(
      [&](Json& body) {
        if (rounds++ == 0) body["requestsByEntityId"][id]["requests"].erase("1");
      },
      [&](Json& answer) {
        if (rounds == 1) {
          item_of(answer, id)->operator[]("rejectedRequests")["1"] =
              Json{{"code", 409}, {"reason", "conflict"}, {"shouldRetry", true}};
        }
      });
  auto r = w.alice.core->share_many("HealthElement", {EntityToShare{he->entity, kThree}});
  ASSERT_OK(r);
  ASSERT_OK(r->front());
  ASSERT_OK(r->front()->status());
  EXPECT_EQ(*r->front()->delegates.at("hcp-carol"), ShareOutcome::kNewShare);
  EXPECT_EQ(rounds, 2) << "carol's request alone was sent again";
  ASSERT_OK(w.carol.core->get("HealthElement", id));
}

TEST(ShareAttacks, AnEntityLeftOutOfTheAnswerIsAnErrorForThatEntity) {
  ShareWorld w;
  std::vector<EntityToShare> batch;
  for (const char* d : {"a", "b", "c"}) {
    auto he = alice_he(w, d);
    ASSERT_OK(he);
    batch.push_back(EntityToShare{he->entity, {{"hcp-bob", {}}}});
  }
  const std::string dropped = batch[1].entity["id"];
  w.alice.interceptor = rewrite_share(nullptr, [&](Json& answer) {
    Json kept = Json::array();
    for (auto& item : answer) {
      if (item.value("entityId", "") != dropped) kept.push_back(item);
    }
    answer = kept;  // applied by the server, left out of its answer
  });
  auto r = w.alice.core->share_many("HealthElement", batch);
  ASSERT_OK(r);
  ASSERT_OK((*r)[0]);
  EXPECT_ERROR_CODE((*r)[1], ErrorCode::kMalformedResponse);
  EXPECT_NE((*r)[1].error().message().find(dropped), std::string::npos) << (*r)[1].error().message();
  ASSERT_OK((*r)[2]);
  // Sharing again (with the copy the caller has, stale now) finds it in place: the server's
  // refusal of the stale request is rebuilt on the current version, nothing is duplicated.
  w.alice.interceptor = nullptr;
  auto again = w.alice.core->share_many("HealthElement", {batch[1]});
  ASSERT_OK(again);
  ASSERT_OK(again->front());
  EXPECT_EQ(*again->front()->delegates.at("hcp-bob"), ShareOutcome::kAlreadyShared);
  auto delegations = model::secure_delegations_of(again->front()->entity.entity);
  ASSERT_OK(delegations);
  EXPECT_EQ(delegations->size(), 2u);
  // On the current version, nothing is sent at all.
  w.alice.reset();
  auto current = w.alice.core->share_many("HealthElement", {EntityToShare{again->front()->entity.entity, {{"hcp-bob", {}}}}});
  ASSERT_OK(current);
  ASSERT_OK(current->front());
  EXPECT_EQ(w.alice.count("PUT /rest/v2/helement/bulkSharedMetadataUpdate"), 0);
}

TEST(ShareAttacks, AnswersForEntitiesNotAskedAreIgnoredAndReportedAndTwoAnswersForOneFailIt) {
  ShareWorld w;
  auto asked = alice_he(w, "asked");
  ASSERT_OK(asked);
  auto twice = alice_he(w, "answered twice");
  ASSERT_OK(twice);
  auto bystander = alice_he(w, "not asked");
  ASSERT_OK(bystander);
  const std::string twice_id = twice->entity["id"], bystander_id = bystander->entity["id"];
  w.alice.interceptor = rewrite_share(nullptr, [&](Json& answer) {
    Json forged = bystander->entity;
    forged["rev"] = "99-forged";
    answer.push_back(Json{{"entityId", bystander_id}, {"updatedEntity", forged}});
    const Json duplicate = *item_of(answer, twice_id);
    answer.push_back(duplicate);
  });
  auto r = w.alice.core->share_many("HealthElement", {EntityToShare{asked->entity, {{"hcp-bob", {}}}},
                                                      EntityToShare{twice->entity, {{"hcp-bob", {}}}}});
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 2u) << "one result per entity asked, none for the other";
  ASSERT_OK((*r)[0]);
  EXPECT_ERROR_CODE((*r)[1], ErrorCode::kMalformedResponse);
  EXPECT_TRUE(w.alice.reported(bystander_id, "not asked"));
  // The made-up revision was not recorded: the real current one still reads.
  w.alice.interceptor = nullptr;
  ASSERT_OK(w.alice.core->get("HealthElement", bystander_id));
}

TEST(ShareAttacks, AnAnswerWhoseNewDelegationIsNotWhatWasSentIsTamperingAndNotUsed) {
  ShareWorld w;
  for (int variant = 0; variant < 3; ++variant) {
    auto he = alice_he(w, "forged answer " + std::to_string(variant));
    ASSERT_OK(he);
    const std::string id = he->entity["id"];
    w.alice.interceptor = rewrite_share(nullptr, [&](Json& answer) {
      Json& entity = item_of(answer, id)->operator[]("updatedEntity");
      Json& to_bob = *delegations_to(entity, "hcp-bob").front();
      if (variant == 0) to_bob["exchangeDataId"] = "exchange-data-of-a-key-nobody-verified";
      if (variant == 1) to_bob["encryptionKeys"] = Json::array({crypto::base64_encode(Bytes(48, 7))});
      if (variant == 2) to_bob["permissions"] = "WRITE";
    });
    auto r = w.alice.core->share_many("HealthElement", {EntityToShare{he->entity, {{"hcp-bob", {}}}}});
    ASSERT_OK(r);
    EXPECT_ERROR_CODE(r->front(), ErrorCode::kTamperDetected);
    EXPECT_TRUE(w.alice.reported(id, "not used")) << "variant " << variant;
    // The genuine share (what the server stored) is found in place on the next share.
    w.alice.interceptor = nullptr;
    auto again = w.alice.core->share("HealthElement", id, "hcp-bob", AccessLevel::kRead);
    ASSERT_OK(again);
    EXPECT_EQ(again->share_outcome, ShareOutcome::kAlreadyShared);
  }
}

TEST(ShareAttacks, ASuccessThatDidNothingIsCaught) {
  ShareWorld w;
  auto he = alice_he(w, "never applied");
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  // The server drops every request, then answers "no rejection" without the updated entity.
  w.alice.interceptor = rewrite_share([&](Json& body) { body["requestsByEntityId"] = Json::object(); },
                                      [&](Json& answer) { answer = Json::array({Json{{"entityId", id}}}); });
  auto r = w.alice.core->share_many("HealthElement", {EntityToShare{he->entity, {{"hcp-bob", {}}}}});
  ASSERT_OK(r);
  EXPECT_ERROR_CODE(r->front(), ErrorCode::kTamperDetected);
  EXPECT_NE(r->front().error().message().find("lacks the delegation to hcp-bob"), std::string::npos)
      << r->front().error().message();
  // Without updated entity but applied: verified on the stored version, a success.
  auto other = alice_he(w, "applied, answer without entity");
  ASSERT_OK(other);
  const std::string other_id = other->entity["id"];
  w.alice.interceptor = rewrite_share(nullptr, [&](Json& answer) { item_of(answer, other_id)->erase("updatedEntity"); });
  auto ok = w.alice.core->share_many("HealthElement", {EntityToShare{other->entity, {{"hcp-bob", {}}}}});
  ASSERT_OK(ok);
  ASSERT_OK(ok->front());
  EXPECT_EQ(*ok->front()->delegates.at("hcp-bob"), ShareOutcome::kNewShare);
}

TEST(ShareAttacks, AMatchNamingAnotherPatientsDataDoesNotGetItShared) {
  ShareWorld w;
  auto patient = w.alice.core->create("Patient", Json{{"firstName", "Ann"}}, {});
  ASSERT_OK(patient);
  auto other = w.alice.core->create("Patient", Json{{"firstName", "Other"}}, {});
  ASSERT_OK(other);
  auto mine = alice_he(w, "Ann's", &*patient);
  ASSERT_OK(mine);
  auto theirs = alice_he(w, "Other's", &*other);
  ASSERT_OK(theirs);
  const std::string theirs_id = theirs->entity["id"];
  // The server adds the other patient's health element to the match of Ann's.
  w.alice.interceptor = [&](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    auto resp = inner(r);
    if (resp.ok() && r.path == "/rest/v2/helement/match" && resp->status == 200) {
      Json ids = parse_json(resp->body).value();
      ids.push_back(theirs_id);
      resp->body = ids.dump();
    }
    return resp;
  };
  auto r = w.alice.core->share_all_data_of_patient(patient->entity["id"], {{"hcp-bob", {}}});
  ASSERT_OK(r);
  EXPECT_FALSE(r->status().ok());
  const PatientDataShare& hes = r->data.front();
  ASSERT_EQ(hes.entity_type, "HealthElement");
  ASSERT_EQ(hes.ids.size(), 2u);
  for (std::size_t i = 0; i < hes.ids.size(); ++i) {
    if (hes.ids[i] == theirs_id) {
      EXPECT_ERROR_CODE(hes.results[i], ErrorCode::kTamperDetected);
    } else {
      ASSERT_OK(hes.results[i]);
    }
  }
  EXPECT_TRUE(w.alice.reported(theirs_id, "another patient"));
  EXPECT_FALSE(w.bob.core->get("HealthElement", theirs_id).ok()) << "not shared";
  ASSERT_OK(w.bob.core->get("HealthElement", mine->entity["id"]));
}

std::string spki_of(testing::ShareClient& c) { return c.core->key_ring().all().begin()->second.key.public_key().spki_hex(); }

// A health element of carol's patient, shared by carol with alice (alice holds it unverified).
struct CarolsEntity {
  std::string patient_id;  // of alice's own patient, Ann
  std::string id;          // the health element, of carol's patient
};

CarolsEntity carols_he_shared_with_alice(ShareWorld& w) {
  auto ann = w.alice.core->create("Patient", Json{{"firstName", "Ann"}}, {});
  EXPECT_TRUE(ann.ok());
  auto theirs = w.carol.core->create("Patient", Json{{"firstName", "Carol's patient"}}, {});
  EXPECT_TRUE(theirs.ok());
  CreateOptions o;
  o.owning_entity_id = theirs->entity["id"].get<std::string>();
  o.secret_foreign_keys = theirs->secret_ids;
  o.share_with = {{"hcp-alice", AccessLevel::kRead}};
  auto he = w.carol.core->create("HealthElement", Json{{"descr", "carol's patient's"}}, o);
  EXPECT_TRUE(he.ok());
  return CarolsEntity{ann->entity["id"], he->entity["id"]};
}

// The server lists `extra` in alice's health element matches.
void add_to_alice_matches(ShareWorld& w, const std::string& extra) {
  w.alice.interceptor = [extra](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    auto resp = inner(r);
    if (resp.ok() && r.path == "/rest/v2/helement/match" && resp->status == 200) {
      Json ids = parse_json(resp->body).value();
      ids.push_back(extra);
      resp->body = ids.dump();
    }
    return resp;
  };
}

// The result for `id` in the health elements of a share_all_data_of_patient.
const Result<EntityShareResult>& he_result(const PatientShareResult& r, const std::string& id) {
  const PatientDataShare& hes = r.data.front();
  EXPECT_EQ(hes.entity_type, "HealthElement");
  const auto at = std::find(hes.ids.begin(), hes.ids.end(), id);
  EXPECT_NE(at, hes.ids.end());
  return hes.results.at(static_cast<std::size_t>(at - hes.ids.begin()));
}

TEST(ShareAttacks, AKeylessForgedDelegationDoesNotMakeAnotherPatientsDataPassForThisPatients) {
  ShareWorld w;
  const CarolsEntity c = carols_he_shared_with_alice(w);
  {
    // Next to carol's genuine share: a delegation to alice without the key, naming alice's Ann.
    testing::TamperDb db(w.server.db_path());
    auto forged = testing::forge_delegation(db, "keyless", "hcp-bob", "hcp-alice", spki_of(w.alice), "HealthElement",
                                            {"evil-secret"}, {c.patient_id}, std::nullopt);
    testing::add_forged_delegation(db, "health_elements", c.id, forged);
  }
  add_to_alice_matches(w, c.id);
  auto r = w.alice.core->share_all_data_of_patient(c.patient_id, {{"hcp-bob", {}}});
  ASSERT_OK(r);
  EXPECT_FALSE(r->status().ok());
  EXPECT_ERROR_CODE(he_result(*r, c.id), ErrorCode::kTamperDetected);
  EXPECT_TRUE(w.alice.reported(c.id, "another patient"));
  EXPECT_FALSE(w.bob.core->get("HealthElement", c.id).ok()) << "carol's patient's data was shared by alice";
}

TEST(ShareAttacks, TheKeysDelegationNamingTwoPatientsIsTamperingAndNotShared) {
  ShareWorld w;
  const CarolsEntity c = carols_he_shared_with_alice(w);
  {
    // The same entity key again (as a malicious colleague could), with Ann next to carol's patient.
    testing::TamperDb db(w.server.db_path());
    engine::EntityCrypto crypto(w.carol.core->exchange_data(), {"hcp-carol"}, false, nullptr);
    auto access = crypto.open(db.get("health_elements", c.id), "HealthElement");
    ASSERT_OK(access);
    std::vector<std::string> owners(access->owning_entity_ids.begin(), access->owning_entity_ids.end());
    owners.push_back(c.patient_id);
    auto forged = testing::forge_delegation(db, "two-patients", "hcp-carol", "hcp-alice", spki_of(w.alice),
                                            "HealthElement", {}, owners, access->keys.front().key);
    testing::add_forged_delegation(db, "health_elements", c.id, forged);
  }
  add_to_alice_matches(w, c.id);
  auto r = w.alice.core->share_all_data_of_patient(c.patient_id, {{"hcp-bob", {}}});
  ASSERT_OK(r);
  EXPECT_ERROR_CODE(he_result(*r, c.id), ErrorCode::kTamperDetected);
  EXPECT_TRUE(w.alice.reported(c.id, "owning entities"));
  EXPECT_FALSE(w.bob.core->get("HealthElement", c.id).ok());
}

TEST(ShareAttacks, SecretIdsOfAKeylessForgedDelegationAreNotPassedOn) {
  ShareWorld w;
  const CarolsEntity c = carols_he_shared_with_alice(w);
  {
    testing::TamperDb db(w.server.db_path());
    auto forged = testing::forge_delegation(db, "secret", "hcp-bob", "hcp-alice", spki_of(w.alice), "HealthElement",
                                            {"evil-secret"}, {"evil-owner"}, std::nullopt);
    testing::add_forged_delegation(db, "health_elements", c.id, forged);
  }
  auto entity = w.alice.core->get("HealthElement", c.id);
  ASSERT_OK(entity);
  auto r = w.alice.core->share_many("HealthElement", {EntityToShare{entity->entity, {{"hcp-bob", {}}}}});
  ASSERT_OK(r);
  ASSERT_OK(r->front());
  ASSERT_OK(r->front()->status());
  auto by_bob = w.bob.core->get("HealthElement", c.id);
  ASSERT_OK(by_bob);
  EXPECT_EQ(std::count(by_bob->secret_ids.begin(), by_bob->secret_ids.end(), "evil-secret"), 0)
      << "the server's secret id was passed on as the entity's";
  EXPECT_EQ(by_bob->secret_ids.size(), 1u);
  auto owners = w.bob.core->owning_entity_ids("HealthElement", by_bob->entity);
  ASSERT_OK(owners);
  EXPECT_EQ(std::count(owners->ids.begin(), owners->ids.end(), "evil-owner"), 0);
}

TEST(ShareAttacks, AnAnswerWithOtherContentThanTheEntityIsNotReturned) {
  ShareWorld w;
  for (int variant = 0; variant < 2; ++variant) {
    auto he = alice_he(w, "first words " + std::to_string(variant));
    ASSERT_OK(he);
    const std::string id = he->entity["id"];
    const Json old_content = he->entity["encryptedSelf"];
    Json changed = he->entity;
    changed["descr"] = "current words";
    auto current = w.alice.core->modify("HealthElement", changed);
    ASSERT_OK(current);
    // The server answers with the older content (variant 0) or another clear field (variant 1).
    w.alice.interceptor = rewrite_share(nullptr, [&](Json& answer) {
      Json& entity = item_of(answer, id)->operator[]("updatedEntity");
      if (variant == 0) entity["encryptedSelf"] = old_content;
      if (variant == 1) entity["healthElementId"] = "server-chosen";
    });
    auto r = w.alice.core->share_many("HealthElement", {EntityToShare{current->entity, {{"hcp-bob", {}}}}});
    ASSERT_OK(r);
    ASSERT_OK(r->front());
    ASSERT_OK(r->front()->status());
    EXPECT_EQ(*r->front()->delegates.at("hcp-bob"), ShareOutcome::kNewShare);
    const Json& got = r->front()->entity.entity;
    EXPECT_EQ(got.value("descr", ""), "current words") << "variant " << variant;
    EXPECT_EQ(got.value("healthElementId", ""), current->entity.value("healthElementId", "")) << "variant " << variant;
    EXPECT_TRUE(w.alice.reported(id, "not only its delegations")) << "variant " << variant;
    w.alice.interceptor = nullptr;
  }
}

TEST(ShareAttacks, ATransportFailureOfARetryKeepsWhatTheFirstRoundSettled) {
  ShareWorld w;
  auto he = alice_he(w, "retry fails");
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  int rounds = 0;
  auto retry = rewrite_share(
      [&](Json& body) { body["requestsByEntityId"][id]["requests"].erase("1"); },
      [&](Json& answer) {
        item_of(answer, id)->operator[]("rejectedRequests")["1"] =
            Json{{"code", 409}, {"reason", "conflict"}, {"shouldRetry", true}};
      });
  w.alice.interceptor = [&](const transport::ApiRequest& r, const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    if (!is_bulk_share(r)) return inner(r);
    if (rounds++ == 0) return retry(r, inner);
    return Error{ErrorCode::kTransport, "connection reset"};
  };
  auto r = w.alice.core->share_many("HealthElement", {EntityToShare{he->entity, kThree}});
  ASSERT_OK(r);
  ASSERT_OK(r->front());  // the settled outcomes are kept
  EXPECT_EQ(rounds, 2);
  EXPECT_EQ(*r->front()->delegates.at("hcp-bob"), ShareOutcome::kNewShare);
  EXPECT_EQ(*r->front()->delegates.at("pat-1"), ShareOutcome::kNewShare);
  EXPECT_ERROR_CODE(r->front()->delegates.at("hcp-carol"), ErrorCode::kTransport);
  EXPECT_NE(r->front()->delegates.at("hcp-carol").error().message().find("unknown"), std::string::npos);
}

}  // namespace
}  // namespace cardinal
