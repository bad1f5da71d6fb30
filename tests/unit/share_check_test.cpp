// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// check_shared_entity: what the server says it stored after a bulk share must be the entity, keep
// every delegation it had, and hold each applied request exactly as sent.

#include "api/share_plan.hpp"
#include "test_util.hpp"

#include <functional>

namespace cardinal {
namespace {

using api::check_shared_entity;
using api::PlannedShare;

const Json kBefore = Json::parse(R"({"id": "he-1", "rev": "1-a", "securityMetadata": {"secureDelegations": {
    "root": {"delegator": "hcp-a", "delegate": "hcp-a", "secretIds": ["s"], "encryptionKeys": ["k"],
             "owningEntityIds": [], "parentDelegations": [], "exchangeDataId": "x-aa", "permissions": "WRITE"},
    "bob": {"delegator": "hcp-a", "delegate": "hcp-b", "secretIds": [], "encryptionKeys": ["kb"],
            "owningEntityIds": [], "parentDelegations": ["root"], "exchangeDataId": "x-ab", "permissions": "READ"}}}})");

PlannedShare new_share() {
  return PlannedShare{"hcp-c", ShareOutcome::kNewShare, "carol",
                      Json::parse(R"({"share": {"explicitDelegator": "hcp-a", "explicitDelegate": "hcp-c",
                          "accessControlKeys": ["00"], "secretIds": ["sc"], "encryptionKeys": ["kc"],
                          "owningEntityIds": ["oc"], "exchangeDataId": "x-ac", "requestedPermissions": "FULL_WRITE"}})")};
}

PlannedShare update_bob() {
  return PlannedShare{"hcp-b", ShareOutcome::kExtended, "bob",
                      Json::parse(R"({"update": {"metadataAccessControlHash": "bob", "secretIds": {"sb": "CREATE"}}})")};
}

// What an honest server stores for both requests.
Json honest_after() {
  Json after = kBefore;
  after["rev"] = "2-b";
  after["securityMetadata"]["secureDelegations"]["carol"] = Json::parse(R"({"delegator": "hcp-a", "delegate": "hcp-c",
      "secretIds": ["sc"], "encryptionKeys": ["kc"], "owningEntityIds": ["oc"], "parentDelegations": ["root"],
      "exchangeDataId": "x-ac", "permissions": "WRITE"})");
  after["securityMetadata"]["secureDelegations"]["bob"]["secretIds"] = Json::array({"sb"});
  return after;
}

const std::vector<std::string> kParents = {"root"};

TEST(ShareCheck, WhatAnHonestServerStoresPasses) {
  EXPECT_EQ(check_shared_entity("he-1", kBefore, honest_after(), {new_share(), update_bob()}, kParents), "");
}

TEST(ShareCheck, EveryDeviationIsNamed) {
  const std::vector<PlannedShare> applied = {new_share(), update_bob()};
  auto wrong = [&](const std::function<void(Json&)>& change) {
    Json after = honest_after();
    change(after);
    return check_shared_entity("he-1", kBefore, after, applied, kParents);
  };
  auto d = [](Json& e, const char* key) -> Json& { return e["securityMetadata"]["secureDelegations"][key]; };
  EXPECT_NE(wrong([](Json& e) { e["id"] = "he-2"; }).find("another entity"), std::string::npos);
  EXPECT_NE(wrong([](Json& e) { e["securityMetadata"]["secureDelegations"].erase("root"); }).find("lacks delegation root"),
            std::string::npos);
  EXPECT_NE(wrong([](Json& e) { e["securityMetadata"]["secureDelegations"].erase("carol"); })
                .find("lacks the delegation to hcp-c"),
            std::string::npos);
  EXPECT_NE(wrong([&](Json& e) { d(e, "carol")["exchangeDataId"] = "x-forged"; }).find("other parties or exchange data"),
            std::string::npos);
  EXPECT_NE(wrong([&](Json& e) { d(e, "carol")["delegate"] = "hcp-mallory"; }).find("other parties"), std::string::npos);
  EXPECT_NE(wrong([&](Json& e) { d(e, "carol")["encryptionKeys"].push_back("k-server"); }).find("encryptionKeys"),
            std::string::npos);
  EXPECT_NE(wrong([&](Json& e) { d(e, "carol")["secretIds"] = Json::array(); }).find("secretIds"), std::string::npos);
  EXPECT_NE(wrong([&](Json& e) { d(e, "carol")["permissions"] = "READ"; }).find("permission"), std::string::npos);
  EXPECT_NE(wrong([&](Json& e) { d(e, "carol")["parentDelegations"] = Json::array({"bob"}); }).find("parent"),
            std::string::npos);
  EXPECT_NE(wrong([&](Json& e) { d(e, "bob")["secretIds"] = Json::array(); }).find("lacks secretIds"), std::string::npos);
  EXPECT_NE(wrong([&](Json& e) { d(e, "bob")["encryptionKeys"] = Json::array(); }).find("lacks encryptionKeys"),
            std::string::npos)
      << "an update keeps what the delegation had";
  EXPECT_NE(wrong([&](Json& e) { d(e, "carol") = "not an object"; }).find("no delegation object"), std::string::npos);
}

}  // namespace
}  // namespace cardinal
