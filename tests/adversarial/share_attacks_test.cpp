// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Sharing at scale against a server that lies in its bulk share answers (issue 12): it refuses one
// of several delegates, leaves an entity out, answers for an entity not asked or twice for one,
// says it applied what it did not, or returns an updated entity whose new delegation is not what
// was sent (other exchange data, another key). Each is reported per entity / per delegate, the
// answer is not trusted, and sharing again repairs without duplicating anything.

#include "share_world.hpp"

#include <cardinal/crypto/encoding.hpp>

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

}  // namespace
}  // namespace cardinal
