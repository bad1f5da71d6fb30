// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/model/crypto_model.hpp>

#include "model/secure_delegation_view.hpp"
#include "test_util.hpp"

#include <string_view>

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

std::vector<std::string> values_of_first_case_keys() {
  auto j = parse_json(R"({"encryptionKeys":["k2","k1","k2"]})");
  auto view = read_secure_delegation(*j);
  std::vector<std::string> out;
  for_each_value(view->encryption_keys, [&](std::string_view v) { out.emplace_back(v); });
  return out;
}

// The in-place reading EntityCrypto::open uses accepts and refuses exactly what the model's
// reading does, with the same message, and gives the values in the model's (std::set) order.
TEST(Model, SecureDelegationViewsCheckWhatTheModelChecks) {
  const std::string long_value(Limits::kMaxEncodedValue + 1, 'x');
  std::string many = "[";
  for (std::size_t i = 0; i <= Limits::kMaxDelegationValues; ++i) many += (i ? ",\"v" : "\"v") + std::to_string(i) + "\"";
  many += "]";
  const std::vector<std::string> delegations = {
      R"({"delegator":"a","delegate":"b","secretIds":["s"],"encryptionKeys":["k2","k1","k2"],"owningEntityIds":null,
          "parentDelegations":["p"],"exchangeDataId":"e","permissions":"READ","extra":{"x":1}})",
      R"({})",
      R"({"delegator":null,"delegate":null,"permissions":null})",
      R"({"permissions":"ADMIN"})",
      R"({"permissions":7})",
      R"({"delegator":3})",
      R"({"delegate":["b"]})",
      R"({"exchangeDataId":{}})",
      R"({"delegator":")" + long_value + R"("})",
      R"({"secretIds":"s"})",
      R"({"encryptionKeys":[1]})",
      R"({"owningEntityIds":[null]})",
      R"({"parentDelegations":{"a":"b"}})",
      R"({"encryptionKeys":[")" + long_value + R"("]})",
      R"({"secretIds":)" + many + "}",
      R"({"delegator":3,"permissions":"ADMIN"})",
      R"({"permissions":"ADMIN","delegator":3})",
      R"([])",
      R"("d")",
  };
  for (const auto& text : delegations) {
    SCOPED_TRACE(text.substr(0, 120));
    auto j = parse_json(text);
    ASSERT_OK(j);
    auto model = SecureDelegation::from_json(*j);
    auto view = read_secure_delegation(*j);
    // (The first three are well formed; every other one breaks a rule.)
    const bool well_formed = &text - &delegations[0] < 3;
    ASSERT_EQ(view.ok(), well_formed);
    ASSERT_EQ(model.ok(), view.ok());
    if (!model.ok()) {
      EXPECT_EQ(view.error().code(), model.error().code());
      EXPECT_EQ(view.error().message(), model.error().message());
      continue;
    }
    EXPECT_EQ(view->permissions, model->permissions);
    EXPECT_EQ(view->delegator.has_value(), model->delegator.has_value());
    EXPECT_EQ(view->delegate.has_value(), model->delegate.has_value());
    EXPECT_EQ(view->exchange_data_id.has_value(), model->exchange_data_id.has_value());
    auto values = [](const Json* list) {
      std::vector<std::string> out;
      for_each_value(list, [&](std::string_view v) { out.emplace_back(v); });
      return out;
    };
    auto set = [](const std::set<std::string>& s) { return std::vector<std::string>(s.begin(), s.end()); };
    EXPECT_EQ(values(view->encryption_keys), set(model->encryption_keys));
    EXPECT_EQ(values(view->secret_ids), set(model->secret_ids));
    EXPECT_EQ(values(view->owning_entity_ids), set(model->owning_entity_ids));
    EXPECT_EQ(values(view->parent_delegations), set(model->parent_delegations));
  }
  EXPECT_EQ(values_of_first_case_keys(), (std::vector<std::string>{"k1", "k2"}));
  // Fields are checked in one order whatever the order of the members: the first rule broken names it.
  for (const char* text : {R"({"delegator":3,"permissions":"ADMIN"})", R"({"permissions":"ADMIN","delegator":3})"}) {
    auto j = parse_json(text);
    ASSERT_OK(j);
    auto view = read_secure_delegation(*j);
    ASSERT_FALSE(view.ok());
    EXPECT_EQ(view.error().message(), "field 'delegator' must be a string");
  }
}

TEST(Model, SecureDelegationViewsAreSortedByKeyAndFailTogether) {
  auto j = parse_json(R"({"securityMetadata":{"secureDelegations":{"c":{},"a":{"delegator":"x"},"b":{}}}})");
  ASSERT_OK(j);
  auto views = secure_delegation_views_of(*j);
  ASSERT_OK(views);
  ASSERT_EQ(views->size(), 3u);
  EXPECT_EQ((*views)[0].key, "a");
  EXPECT_EQ((*views)[1].key, "b");
  EXPECT_EQ((*views)[2].key, "c");
  EXPECT_EQ((*views)[0].delegator, std::optional<std::string_view>("x"));
  for (const char* bad : {R"({"securityMetadata":{"secureDelegations":{"a":{},"b":{"permissions":"ADMIN"}}}})",
                          R"({"securityMetadata":[]})", R"({"securityMetadata":{"secureDelegations":"x"}})", R"([])"}) {
    auto b = parse_json(bad);
    ASSERT_OK(b);
    EXPECT_ERROR_CODE(secure_delegation_views_of(*b), ErrorCode::kMalformedInput);
    EXPECT_ERROR_CODE(secure_delegations_of(*b), ErrorCode::kMalformedInput);
  }
}

}  // namespace
}  // namespace cardinal::model
