// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The typed request bodies and answers of api/requests.hpp: the exact wire shapes, and answers of
// a hostile server (wrong types) read as documented, never thrown on.

#include "api/requests.hpp"
#include "api/rest_backend.hpp"
#include "test_util.hpp"

namespace cardinal {
namespace {

using api::BulkShareRequest;

TEST(Requests, BulkShareRequestSerializesThePlatformShape) {
  BulkShareRequest r;
  auto& e = r.requests_by_entity_id["he-1"];
  e.requests.emplace("0", Json{{"share", {{"requestedPermissions", "FULL_READ"}}}});
  e.potential_parent_delegations = {"k1", "k2"};
  const Json expected = Json::parse(R"({"requestsByEntityId": {"he-1": {
      "requests": {"0": {"share": {"requestedPermissions": "FULL_READ"}}},
      "potentialParentDelegations": ["k1", "k2"]}}})");
  EXPECT_EQ(api::to_json(r), expected);
  EXPECT_EQ(api::to_json(BulkShareRequest{}), Json::parse(R"({"requestsByEntityId": {}})"));
}

TEST(Requests, BulkShareResultsAreParsedDefensively) {
  const Json answer = Json::parse(R"([
      {"entityId": "a", "entityRev": "1-w", "updatedEntity": {"id": "a", "rev": "2-x"}, "rejectedRequests": {}},
      {"entityId": "b", "updatedEntity": "not an object",
       "rejectedRequests": {"1": {"code": 409, "reason": "exists", "shouldRetry": true}, "0": 7}},
      {"entityId": 42, "rejectedRequests": {"0": {"code": "400", "reason": 1, "shouldRetry": "yes"}}},
      "garbage"])");
  auto parsed = api::parse_bulk_share_results(answer);
  ASSERT_OK(parsed);
  ASSERT_EQ(parsed->size(), 3u);  // the non-object item is skipped
  const auto& a = (*parsed)[0];
  EXPECT_EQ(a.entity_id, "a");
  ASSERT_TRUE(a.updated_entity.has_value());
  EXPECT_EQ((*a.updated_entity)["rev"], "2-x");
  EXPECT_EQ(a.entity_rev, "1-w") << "the revision before the share";
  EXPECT_TRUE(a.rejected_requests.empty());
  const auto& b = (*parsed)[1];
  EXPECT_FALSE(b.updated_entity.has_value()) << "an updatedEntity that is not an object counts as absent";
  ASSERT_EQ(b.rejected_requests.size(), 2u);
  EXPECT_EQ(b.rejected_requests[0].first, "1") << "the server's order is kept";
  EXPECT_EQ(b.rejected_requests[0].second.code, 409);
  EXPECT_EQ(b.rejected_requests[0].second.reason, "exists");
  EXPECT_TRUE(b.rejected_requests[0].second.should_retry);
  EXPECT_EQ(b.rejected_requests[1].second.code, 0) << "a rejection that is not an object has the defaults";
  const auto& c = (*parsed)[2];
  EXPECT_EQ(c.entity_id, "");
  EXPECT_EQ(c.entity_rev, "") << "absent";
  ASSERT_EQ(c.rejected_requests.size(), 1u);
  EXPECT_EQ(c.rejected_requests[0].second.code, 0);
  EXPECT_EQ(c.rejected_requests[0].second.reason, "no reason given");
  EXPECT_FALSE(c.rejected_requests[0].second.should_retry);
  EXPECT_ERROR_CODE(api::parse_bulk_share_results(Json::object()), ErrorCode::kMalformedResponse);
}

TEST(Requests, RejectionCodesOutsideTheHttpRangeCountAsNone) {
  auto parsed = api::parse_bulk_share_results(Json::parse(
      R"([{"entityId": "a", "rejectedRequests": {"0": {"code": 100000}, "1": {"code": -1}, "2": {"code": 403}}}])"));
  ASSERT_OK(parsed);
  const auto& rej = (*parsed)[0].rejected_requests;
  ASSERT_EQ(rej.size(), 3u);
  EXPECT_EQ(rej[0].second.code, 0);
  EXPECT_EQ(rej[1].second.code, 0);
  EXPECT_EQ(rej[2].second.code, 403);
}

// The bulk endpoints of kraken-common's v2 controllers, exactly (paths, methods, bodies).
TEST(Requests, BulkEntityCallsUseThePlatformEndpoints) {
  std::vector<transport::ApiRequest> seen;
  std::string answer = "[]";
  api::RestBackend backend([&](const transport::ApiRequest& r) -> Result<transport::ApiResponse> {
    seen.push_back(r);
    return transport::ApiResponse{200, answer};
  });
  answer = R"([{"id": "p1", "rev": "1-a"}, "junk", 3])";
  auto created = backend.create_entities("Patient", {Json{{"id", "p1"}}}, {});
  ASSERT_OK(created);
  EXPECT_EQ(created->size(), 1u) << "items that are not objects are dropped";
  EXPECT_EQ(seen.back().method, "POST");
  EXPECT_EQ(seen.back().path, "/rest/v2/patient/batch/full") << "/batch answers only ids and revs for patients";
  ASSERT_OK(backend.modify_entities("HealthElement", {Json{{"id", "h1"}, {"rev", "1-a"}}}, {}));
  EXPECT_EQ(seen.back().method, "PUT");
  EXPECT_EQ(seen.back().path, "/rest/v2/helement/batch");
  ASSERT_OK(backend.modify_entities("Patient", {Json{{"id", "p1"}, {"rev", "1-a"}}}, {}));
  EXPECT_EQ(seen.back().method, "PUT");
  EXPECT_EQ(seen.back().path, "/rest/v2/patient/batch/full");
  ASSERT_OK(backend.get_entities("HealthElement", {"h1", "h2"}, {}));
  EXPECT_EQ(seen.back().path, "/rest/v2/helement/byIds");
  EXPECT_EQ(Json::parse(seen.back().body), Json::parse(R"({"ids": ["h1", "h2"]})"));
  ASSERT_OK(backend.delete_entities("HealthElement", {"h1"}, {}));
  EXPECT_EQ(seen.back().method, "POST");
  EXPECT_EQ(seen.back().path, "/rest/v2/helement/delete/batch");
  answer = R"({"id": "h/1", "rev": "3-b"})";
  ASSERT_OK(backend.undelete_entity("HealthElement", "h/1", "2-a", {}));
  EXPECT_EQ(seen.back().method, "POST");
  EXPECT_EQ(seen.back().path, "/rest/v2/helement/undelete/h%2F1?rev=2-a");
  ASSERT_OK(backend.purge_entity("HealthElement", "h/1", "3-b", {}));
  EXPECT_EQ(seen.back().method, "DELETE");
  EXPECT_EQ(seen.back().path, "/rest/v2/helement/purge/h%2F1?rev=3-b");
  answer = R"([{"id": "h1", "rev": "4-c"}])";
  auto undeleted = backend.undelete_entities("Patient", {{{"h1", "3-b"}, {"h/2", "1-a"}}}, {});
  ASSERT_OK(undeleted);
  EXPECT_EQ(undeleted->size(), 1u);
  EXPECT_EQ(seen.back().method, "POST");
  EXPECT_EQ(seen.back().path, "/rest/v2/patient/undelete/batch");
  EXPECT_EQ(Json::parse(seen.back().body),
            Json::parse(R"({"ids": [{"id": "h1", "rev": "3-b"}, {"id": "h/2", "rev": "1-a"}]})"));
  ASSERT_OK(backend.purge_entities("Document", {{{"d1", "2-x"}}}, {}));
  EXPECT_EQ(seen.back().method, "POST");
  EXPECT_EQ(seen.back().path, "/rest/v2/document/purge/batch");
  EXPECT_EQ(Json::parse(seen.back().body), Json::parse(R"({"ids": [{"id": "d1", "rev": "2-x"}]})"));
  answer = R"({"id": "other", "rev": "3-b"})";
  EXPECT_ERROR_CODE(backend.purge_entity("HealthElement", "h1", "3-b", {}), ErrorCode::kMalformedResponse);
  // byIds hands the answer over as received: its reader (api::read_page_answer) reports its oddities.
  answer = R"({"not": "an array"})";
  auto raw = backend.get_entities("HealthElement", {"h1"}, {});
  ASSERT_OK(raw);
  EXPECT_EQ(*raw, Json::parse(answer));
}

}  // namespace
}  // namespace cardinal
