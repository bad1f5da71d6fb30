// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Errors a user can act on (issue 14 §6): through the public API against a real devserver, every
// error says in words what it is about; the HTTP method, path and status are in Error::http().

#include <cardinal/http/curl_transport.hpp>
#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"
#include "test_util.hpp"

namespace cardinal {
namespace {

Result<std::unique_ptr<CardinalSdk>> sign_in(const testing::DevServer& server, const std::string& login,
                                             std::optional<SecretBytes> recovery_key = std::nullopt) {
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = login;
  o.password = SecretBytes::from_string("pw");
  o.key_store = std::make_shared<keys::InMemoryKeyStore>();
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  if (recovery_key) o.recovery_key = *recovery_key;
  return CardinalSdk::initialize(std::move(o));
}

// The message names `subject` in words and no URL; the HTTP exchange is in the separate field.
void expect_actionable(const Error& e, const std::string& subject, const std::string& method,
                       const std::string& path_fragment, int status) {
  EXPECT_NE(e.message().find(subject), std::string::npos) << e.to_string();
  EXPECT_EQ(e.message().find("/rest/"), std::string::npos) << "an HTTP path in the message: " << e.to_string();
  EXPECT_EQ(e.message().find("HTTP"), std::string::npos) << e.to_string();
  ASSERT_TRUE(e.http().has_value()) << e.to_string();
  EXPECT_EQ(e.http()->method, method);
  EXPECT_NE(e.http()->path.find(path_fragment), std::string::npos) << e.http()->path;
  EXPECT_EQ(e.http()->path.find('?'), std::string::npos) << "no query string: " << e.http()->path;
  EXPECT_EQ(e.http()->status, status);
  EXPECT_NE(e.to_log_string().find(e.http()->path), std::string::npos) << e.to_log_string();
  EXPECT_EQ(e.to_string().find("/rest/"), std::string::npos);
}

TEST(Errors, ShareWithADataOwnerThatDoesNotExistNamesIt) {
  testing::DevServer server;
  auto alice = sign_in(server, "alice");
  ASSERT_OK(alice);
  auto he = (*alice)->health_elements().create(Json{{"descr", "asthma"}});
  ASSERT_OK(he);
  auto r = (*alice)->health_elements().share(he->entity["id"], "hcp-nobody", AccessLevel::kRead);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  expect_actionable(r.error(), "data owner 'hcp-nobody'", "GET", "/rest/v2/dataowner/stub/hcp-nobody", 404);
  EXPECT_NE(r.error().message().find("does not exist"), std::string::npos) << r.error().message();
}

TEST(Errors, GetOfAnEntityThatDoesNotExistNamesIt) {
  testing::DevServer server;
  auto alice = sign_in(server, "alice");
  ASSERT_OK(alice);
  auto r = (*alice)->health_elements().get("he-missing");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  expect_actionable(r.error(), "HealthElement 'he-missing'", "GET", "/rest/v2/helement/he-missing", 404);
}

TEST(Errors, EntityNotSharedWithTheUserNamesIt) {
  testing::DevServer server;
  auto alice = sign_in(server, "alice");
  auto bob = sign_in(server, "bob");
  ASSERT_OK(alice);
  ASSERT_OK(bob);
  auto he = (*alice)->health_elements().create(Json{{"descr", "asthma"}});
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  auto r = (*bob)->health_elements().get(id);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("HealthElement '" + id + "'"), std::string::npos) << r.error().to_string();
  EXPECT_EQ(r.error().message().find("/rest/"), std::string::npos) << r.error().to_string();
}

TEST(Errors, WrongRecoveryKeySaysSoWithoutAPath) {
  testing::DevServer server;
  {
    auto alice = sign_in(server, "alice");
    ASSERT_OK(alice);
    ASSERT_OK((*alice)->crypto().create_recovery_key());
  }
  // A well-formed recovery key that was never created (mistyped, expired or deleted).
  auto r = sign_in(server, "alice", SecretBytes::from_string("00112233445566778899AABBCCDDEEFF"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  expect_actionable(r.error(), "recovery key", "GET", "/rest/v2/recoverydata/", 404);
}

TEST(Errors, WrongPasswordHasTheLoginExchangeForLogs) {
  testing::DevServer server;
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = "alice";
  o.password = SecretBytes::from_string("not the password");
  o.key_store = std::make_shared<keys::InMemoryKeyStore>();
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  auto r = CardinalSdk::initialize(std::move(o));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(r.error().message().find("password"), std::string::npos) << r.error().to_string();
  ASSERT_TRUE(r.error().http().has_value());
  EXPECT_EQ(r.error().http()->path, "/rest/v2/auth/login");
  EXPECT_EQ(r.error().http()->status, 401);
}

TEST(Errors, LocalErrorsHaveNoHttpDetail) {
  const Error plain{ErrorCode::kInvalidArgument, "id must not be empty"};
  EXPECT_FALSE(plain.http().has_value());
  EXPECT_EQ(plain.to_log_string(), plain.to_string());
  const Error wire{ErrorCode::kNotFound, "data owner 'x' does not exist", HttpErrorDetail{"GET", "/p", 404}};
  EXPECT_EQ(wire.to_string(), "NotFound: data owner 'x' does not exist");
  EXPECT_EQ(wire.to_log_string(), "NotFound: data owner 'x' does not exist [GET /p -> HTTP 404]");
}

}  // namespace
}  // namespace cardinal
