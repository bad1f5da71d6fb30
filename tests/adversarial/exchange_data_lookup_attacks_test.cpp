// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The exchange data lookups of a create with delegates (issue 16: one listing of the user's
// exchange data instead of one lookup per delegate, and the new records in one bulk request)
// against a server that lies in those answers: the listing carries a forged record, another
// pair's record and duplicates; the bulk creation answer names an id twice, one not sent, or
// leaves one out. Nothing unverified encrypts anything, and a bad bulk answer stores no entity.

#include "engine/exchange_data_crypto.hpp"
#include "share_world.hpp"
#include "test_keys.hpp"

#include <cardinal/crypto/encoding.hpp>

namespace cardinal {
namespace {

using testing::alice_he;
using testing::ShareClient;
using testing::ShareWorld;

bool is_route(const transport::ApiRequest& r, std::string_view method, std::string_view path_start) {
  return r.method == method && r.path.rfind(path_start, 0) == 0;
}

// Rewrites the JSON answer of the requests `matches` selects; others pass through.
ShareClient::Interceptor rewrite_answer(std::function<bool(const transport::ApiRequest&)> matches,
                                        std::function<void(const transport::ApiRequest&, Json&)> answer) {
  return [matches, answer](const transport::ApiRequest& r,
                           const transport::ApiCall& inner) -> Result<transport::ApiResponse> {
    auto resp = inner(r);
    if (!matches(r) || !resp.ok() || resp->status != 200) return resp;
    Json j = parse_json(resp->body).value();
    answer(r, j);
    resp->body = j.dump();
    return resp;
  };
}

// The exchange data id of the delegation to `delegate` in `entity` ("" if none names it).
std::string exchange_data_to(const Json& entity, const std::string& delegate) {
  for (const auto& [k, d] : entity["securityMetadata"]["secureDelegations"].items()) {
    if (d.value("delegate", "") == delegate) return d.value("exchangeDataId", "");
  }
  return "";
}

// The published key of a data owner, read from the server as any client would.
crypto::RsaPublicKey key_of(ShareClient& c, const std::string& id) {
  auto owner = c.backend->data_owner_stub(id).value();
  return crypto::RsaPublicKey::from_spki_hex(owner.public_keys_oaep_sha256.at(0), crypto::RsaOaepHash::kSha256)
      .value();
}

const std::vector<std::pair<std::string, AccessLevel>> kBobAndCarol = {{"hcp-bob", AccessLevel::kRead},
                                                                       {"hcp-carol", AccessLevel::kRead}};

TEST(ExchangeDataLookupAttacks, AForgedOtherPairAndDuplicatedListingGivesOnlyVerifiedExchangeData) {
  ShareWorld w;
  auto first = alice_he(w, "first", nullptr, kBobAndCarol);
  ASSERT_OK(first);
  const std::string genuine = exchange_data_to(first->entity, "hcp-bob");
  ASSERT_FALSE(genuine.empty());

  // The server knows alice's and bob's public keys and signs with its own: a record "alice → bob"
  // that opens for alice, whose delegator signature does not verify.
  auto secrets = engine::ExchangeSecrets::generate().value();
  const auto alice_key = key_of(w.alice, "hcp-alice"), bob_key = key_of(w.alice, "hcp-bob");
  Json forged = engine::build_exchange_data("xd-forged", "hcp-alice", "hcp-bob", secrets, {alice_key, bob_key},
                                            {&testing::test_key(3)})
                    .value()
                    .to_json();
  forged["rev"] = "1-forged";
  Json other = forged;  // another pair's record, "bob → carol"
  other["id"] = "xd-other-pair";
  other["delegator"] = "hcp-bob";
  other["delegate"] = "hcp-carol";

  // A second session of alice lists her exchange data through the lying server.
  ShareClient again;
  again.keys = w.alice.keys;
  ASSERT_OK(again.start(w.server, "alice"));
  again.interceptor = rewrite_answer(
      [](const transport::ApiRequest& r) { return is_route(r, "GET", "/rest/v2/exchangedata/byParticipant/"); },
      [&](const transport::ApiRequest&, Json& page) {
        Json rows = Json::array({forged, other});
        for (const auto& row : page["rows"]) {
          rows.push_back(row);
          rows.push_back(row);
        }
        page["rows"] = rows;
      });
  again.reset();
  auto e = again.core->create("HealthElement", Json{{"descr", "second"}, {"note", "n2"}}, CreateOptions{{}, {}, kBobAndCarol});
  ASSERT_OK(e);
  EXPECT_EQ(again.count("GET /rest/v2/exchangedata/byParticipant/hcp-alice"), 1) << again.dump();
  EXPECT_EQ(exchange_data_to(e->entity, "hcp-bob"), genuine) << "the genuine record, not the forged one";
  EXPECT_EQ(exchange_data_to(e->entity, "hcp-carol"), exchange_data_to(first->entity, "hcp-carol"));
  EXPECT_TRUE(again.reported("xd-forged", "delegator signature")) << "the forged record is reported";
  EXPECT_EQ(again.count("POST /rest/v2/exchangedata"), 0) << again.dump();
  EXPECT_EQ(again.count("POST /rest/v2/exchangedata/bulk"), 0) << again.dump();
  auto by_bob = w.bob.core->get("HealthElement", e->entity["id"]);
  ASSERT_OK(by_bob);
  EXPECT_EQ(by_bob->entity["note"], "n2");

  // A third session whose listing hides the genuine records and offers only the forged one:
  // new exchange data, never the forged one.
  ShareClient hidden;
  hidden.keys = w.alice.keys;
  ASSERT_OK(hidden.start(w.server, "alice"));
  hidden.interceptor = rewrite_answer(
      [](const transport::ApiRequest& r) { return is_route(r, "GET", "/rest/v2/exchangedata/byParticipant/"); },
      [&](const transport::ApiRequest&, Json& page) { page["rows"] = Json::array({forged}); });
  auto third = hidden.core->create("HealthElement", Json{{"descr", "third"}, {"note", "n3"}},
                                   CreateOptions{{}, {}, {{"hcp-bob", AccessLevel::kRead}}});
  ASSERT_OK(third);
  const std::string used = exchange_data_to(third->entity, "hcp-bob");
  EXPECT_NE(used, "xd-forged");
  EXPECT_NE(used, genuine);
  EXPECT_FALSE(used.empty());
  auto by_bob_3 = w.bob.core->get("HealthElement", third->entity["id"]);
  ASSERT_OK(by_bob_3);
  EXPECT_EQ(by_bob_3->entity["note"], "n3");
}

// The listing of the user's exchange data is paged by the server: a hostile one answers every
// page with a thousand rows of another pair (dropped) and a fresh cursor, forever. The listing
// stops after the pages its bound allows (rows of other pairs count) and the create falls back to
// one lookup per delegate: it succeeds, without a thousand requests or their memory.
TEST(ExchangeDataLookupAttacks, AnEndlessListingOfOtherPairsIsCutShortAndTheCreateStillWorks) {
  ShareWorld w;
  auto first = alice_he(w, "first", nullptr, kBobAndCarol);
  ASSERT_OK(first);
  Json other;
  for (const auto& row : w.alice.backend->get_by_participant("hcp-alice").value()) {
    if (row.delegate == "hcp-bob") other = row.json;
  }
  ASSERT_FALSE(other.is_null());
  other["delegator"] = "hcp-bob";
  other["delegate"] = "hcp-carol";

  ShareClient again;
  again.keys = w.alice.keys;
  ASSERT_OK(again.start(w.server, "alice"));
  int pages = 0;
  again.interceptor = rewrite_answer(
      [](const transport::ApiRequest& r) { return is_route(r, "GET", "/rest/v2/exchangedata/byParticipant/"); },
      [&](const transport::ApiRequest&, Json& page) {
        Json rows = Json::array();
        for (int i = 0; i < 1000; ++i) {
          other["id"] = "xd-other-" + std::to_string(pages) + "-" + std::to_string(i);
          rows.push_back(other);
        }
        page["rows"] = std::move(rows);
        page["nextKeyPair"] = Json{{"startKey", nullptr}, {"startKeyDocId", "cursor-" + std::to_string(++pages)}};
      });
  again.reset();
  auto e = again.core->create("HealthElement", Json{{"descr", "second"}, {"note", "n2"}}, CreateOptions{{}, {}, kBobAndCarol});
  ASSERT_OK(e);
  EXPECT_LE(again.count("GET /rest/v2/exchangedata/byParticipant/hcp-alice"), 8) << again.dump();
  EXPECT_EQ(exchange_data_to(e->entity, "hcp-bob"), exchange_data_to(first->entity, "hcp-bob"))
      << "found by the per-delegate lookup";
  auto by_bob = w.bob.core->get("HealthElement", e->entity["id"]);
  ASSERT_OK(by_bob);
  EXPECT_EQ(by_bob->entity["note"], "n2");
}

// The bulk creation answer ({id, rev} per record created) names an id it was not sent, names one
// twice, or leaves one out: the create fails before the entity is stored, and names what is wrong.
TEST(ExchangeDataLookupAttacks, ABulkCreationAnswerWithAnIdNotSentTwiceOrLeftOutStoresNoEntity) {
  ShareWorld w;
  auto bulk = [](const transport::ApiRequest& r) { return is_route(r, "POST", "/rest/v2/exchangedata/bulk"); };
  struct Case {
    const char* what;
    std::function<void(const transport::ApiRequest&, Json&)> answer;
    ErrorCode code;
    std::string words;
  };
  const std::vector<Case> cases = {
      {"an id not sent", [](const transport::ApiRequest&, Json& a) { a.push_back(Json{{"id", "xd-not-sent"}, {"rev", "1-x"}}); },
       ErrorCode::kMalformedResponse, "xd-not-sent"},
      {"an id twice", [](const transport::ApiRequest&, Json& a) { a.push_back(Json{{"id", a[0]["id"]}, {"rev", "2-x"}}); },
       ErrorCode::kMalformedResponse, "twice"},
      {"bob's left out",
       [](const transport::ApiRequest& r, Json& a) {
         std::string bobs;
         for (const auto& sent : parse_json(r.body).value()) {
           if (sent.value("delegate", "") == "hcp-bob") bobs = sent["id"];
         }
         Json kept = Json::array();
         for (const auto& item : a) {
           if (item["id"] != bobs) kept.push_back(item);
         }
         a = kept;
       },
       ErrorCode::kServerError, "hcp-bob"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    w.alice.interceptor = rewrite_answer(bulk, c.answer);
    w.alice.reset();
    auto e = alice_he(w, c.what, nullptr, kBobAndCarol);
    EXPECT_ERROR_CODE(e, c.code);
    if (!e.ok()) {
      EXPECT_NE(e.error().message().find(c.words), std::string::npos) << e.error().message();
    }
    EXPECT_EQ(w.alice.count("POST /rest/v2/exchangedata/bulk"), 1) << w.alice.dump();
    EXPECT_EQ(w.alice.count("POST /rest/v2/helement"), 0) << "no entity without its delegations";
  }
  w.alice.interceptor = nullptr;
  auto e = alice_he(w, "honest", nullptr, kBobAndCarol);
  ASSERT_OK(e);
  for (auto* reader : {&w.bob, &w.carol}) {
    auto got = reader->core->get("HealthElement", e->entity["id"]);
    ASSERT_OK(got);
    EXPECT_EQ(got->entity["note"], "note of honest");
  }
}

}  // namespace
}  // namespace cardinal
