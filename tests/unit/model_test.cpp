// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/model/crypto_model.hpp>

#include "test_util.hpp"

namespace cardinal::model {
namespace {

TEST(Model, ExchangeDataKeepsUnknownFields) {
  auto j = parse_json(R"({"id":"e1","rev":"1-a","delegator":"a","delegate":"b","exchangeKey":{"fp":"x"},
    "accessControlSecret":{},"sharedSignatureKey":{},"delegatorSignature":{},"sharedSignature":"s","futureField":[1]})");
  ASSERT_OK(j);
  auto e = ExchangeData::from_json(*j);
  ASSERT_OK(e);
  EXPECT_EQ(e->exchange_key.at("fp"), "x");
  e->delegate = "c";
  const Json out = e->to_json();
  EXPECT_EQ(out["futureField"], Json::array({1}));
  EXPECT_EQ(out["delegate"], "c");
}

TEST(Model, MalformedRecordsAreTypedErrors) {
  for (const char* bad : {R"([])", R"({"id":1,"delegator":"a","delegate":"b"})", R"({"delegator":"a","delegate":"b"})",
                          R"({"id":"e","delegator":"a","delegate":"b","exchangeKey":[]})",
                          R"({"id":"e","delegator":"a","delegate":"b","exchangeKey":{"fp":3}})"}) {
    auto j = parse_json(bad);
    ASSERT_OK(j);
    EXPECT_ERROR_CODE(ExchangeData::from_json(*j), ErrorCode::kMalformedInput);
  }
  Json huge = Json::object();
  huge["id"] = std::string(100000, 'a');
  huge["delegator"] = "a";
  huge["delegate"] = "b";
  EXPECT_ERROR_CODE(ExchangeData::from_json(huge), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(parse_json("{\"a\":"), ErrorCode::kMalformedInput);
}

TEST(Model, DataOwnerStub) {
  auto j = parse_json(R"({"type":"hcp","dataOwner":{"id":"h","rev":"2","firstName":"Alice","publicKey":"aa",
     "publicKeysForOaepWithSha256":["bb"],"aesExchangeKeys":{"cc":{}},"parentId":"p"}})");
  ASSERT_OK(j);
  auto d = DataOwner::from_with_type(*j);
  ASSERT_OK(d);
  EXPECT_EQ(d->oaep_sha1_keys(), (std::vector<std::string>{"aa", "cc"}));
  EXPECT_EQ(d->parent_id, "p");
  const Json stub = d->to_stub_with_type();
  EXPECT_EQ(stub["type"], "hcp");
  EXPECT_FALSE(stub["stub"].contains("firstName"));
  EXPECT_EQ(stub["stub"]["publicKeysForOaepWithSha256"], Json::array({"bb"}));
  EXPECT_EQ(d->to_json()["firstName"], "Alice");
  auto both =
      parse_json(R"({"type":"hcp","dataOwner":{"id":"h","publicKey":"aa","publicKeysForOaepWithSha256":["aa"]}})");
  ASSERT_OK(both);
  EXPECT_ERROR_CODE(DataOwner::from_with_type(*both), ErrorCode::kMalformedInput);
  auto wrong = parse_json(R"({"type":"robot","dataOwner":{"id":"h"}})");
  ASSERT_OK(wrong);
  EXPECT_ERROR_CODE(DataOwner::from_with_type(*wrong), ErrorCode::kMalformedInput);
}

TEST(Model, SecureDelegations) {
  auto j = parse_json(R"({"id":"x","securityMetadata":{"secureDelegations":{"k":{"delegator":"a","secretIds":["s"],
     "encryptionKeys":[],"owningEntityIds":[],"parentDelegations":["p"],"permissions":"WRITE"}}}})");
  ASSERT_OK(j);
  auto d = secure_delegations_of(*j);
  ASSERT_OK(d);
  EXPECT_EQ(d->at("k").permissions, AccessLevel::kWrite);
  EXPECT_FALSE(d->at("k").delegate.has_value());
  auto bad = parse_json(R"({"securityMetadata":{"secureDelegations":{"k":{"permissions":"ADMIN"}}}})");
  ASSERT_OK(bad);
  EXPECT_ERROR_CODE(secure_delegations_of(*bad), ErrorCode::kMalformedInput);
  auto none = parse_json(R"({"id":"x"})");
  ASSERT_OK(none);
  EXPECT_TRUE(secure_delegations_of(*none)->empty());
}

}  // namespace
}  // namespace cardinal::model
