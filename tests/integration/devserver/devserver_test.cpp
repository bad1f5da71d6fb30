// Integration tests for cardinal-devserver: the real binary, driven over HTTP on loopback.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <memory>
#include <random>

#include <sqlite3.h>

#include "devserver_client.hpp"

namespace devserver_test {
namespace {

constexpr const char* kHe = "/rest/v2/helement";

json exchange_data(const std::string& id, const std::string& delegator, const std::string& delegate) {
  const json part = {{"0123456789abcdef012345", "QUFBQQ=="}};
  return {{"id", id},
          {"delegator", delegator},
          {"delegate", delegate},
          {"exchangeKey", part},
          {"accessControlSecret", part},
          {"sharedSignatureKey", part},
          {"sharedSignature", "c2lnbmF0dXJl"},
          {"delegatorSignature", part}};
}

json explicit_delegation(const std::string& delegator, const std::string& delegate, const std::string& xd,
                         const std::string& perm = "WRITE") {
  return {{"delegator", delegator}, {"delegate", delegate}, {"secretIds", {"c2VjcmV0"}}, {"encryptionKeys", {"a2V5"}},
          {"owningEntityIds", json::array()}, {"exchangeDataId", xd}, {"permissions", perm}};
}

json anonymous_delegation(const std::string& perm = "WRITE") {
  return {{"secretIds", {"c2VjcmV0"}}, {"encryptionKeys", {"a2V5"}}, {"permissions", perm}};
}

json entity(const std::string& id, const json& delegations, const std::string& secret = "QUJDRA==") {
  return {{"id", id}, {"encryptedSelf", secret}, {"securityMetadata", {{"secureDelegations", delegations}}}};
}

json share_request(const std::string& ack_label, const std::string& delegator, const std::string& delegate,
                   const std::string& xd, const std::string& perm = "MAX_WRITE") {
  return {{"share",
           {{"explicitDelegator", delegator},
            {"explicitDelegate", delegate},
            {"accessControlKeys", {ack_hex(ack_label)}},
            {"secretIds", {"c2VjcmV0Mg=="}},
            {"encryptionKeys", {"a2V5Mg=="}},
            {"owningEntityIds", json::array()},
            {"exchangeDataId", xd},
            {"requestedPermissions", perm}}}};
}

httplib::Headers ack_header(const std::vector<std::string>& labels) {
  std::string raw;
  for (const auto& l : labels) raw += ack_bytes(l);
  return {{"Icure-Access-Control-Keys", base64(raw)}};
}

class DevServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("devserver-test");
    seed_ = dir_ / "seed.json";
    std::ofstream(seed_) << default_seed().dump();
    db_ = (dir_ / "db.sqlite").string();
    start();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void start() {
    server_ = std::make_unique<DevServer>(db_, SeedFile{seed_}, std::vector<std::string>{"--max-body-bytes", "65536"});
  }
  std::unique_ptr<Client> as(const std::string& user) {
    auto c = std::make_unique<Client>(server_->port());
    const auto r = c->login(user, user + "-pw");
    EXPECT_EQ(r.status, 200) << r.raw;
    return c;
  }
  // alice creates exchange data alice->alice and an entity with a root delegation for herself.
  json alice_entity(Client& alice, const std::string& id, const std::string& path = kHe) {
    alice.post("/rest/v2/exchangedata", exchange_data("xd-alice-alice", "hcp-alice", "hcp-alice"));
    const auto r = alice.post(path, entity(id, {{sd_key("root-" + id), explicit_delegation("hcp-alice", "hcp-alice", "xd-alice-alice")}}));
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }

  std::filesystem::path dir_;
  std::filesystem::path seed_;
  std::string db_;
  std::unique_ptr<DevServer> server_;
};

TEST_F(DevServerTest, PrintsListeningLineAndStopsCleanlyOnSigterm) {
  EXPECT_GT(server_->port(), 0);
  EXPECT_EQ(server_->first_line(), "listening on http://127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_EQ(server_->stop(), 0);
}

TEST_F(DevServerTest, LoginIssuesJwtWithRequiredClaims) {
  Client c(server_->port());
  EXPECT_EQ(c.login("alice", "wrong").status, 401);
  EXPECT_EQ(c.login("nobody", "x").status, 401);
  const auto r = c.login("alice", "alice-pw");
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.body.is_object());
  EXPECT_EQ(r.body.size(), 2u) << "exactly token and refreshToken";
  const std::string token = r.body["token"];
  const auto d1 = token.find('.');
  const auto d2 = token.find('.', d1 + 1);
  ASSERT_NE(d2, std::string::npos);
  const std::string payload_b64 = token.substr(d1 + 1, d2 - d1 - 1);
  EXPECT_EQ(payload_b64.find_first_of("+/-_="), std::string::npos) << "payload readable as base64 and base64url";
  std::string decoded(payload_b64.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                reinterpret_cast<const unsigned char*>(payload_b64.data()), static_cast<int>(payload_b64.size()));
  ASSERT_GT(n, 0);
  const json claims = json::parse(decoded.substr(0, static_cast<std::size_t>(n)));
  EXPECT_TRUE(claims["exp"].is_number_integer());
  EXPECT_TRUE(claims["tac"].is_number_integer());
  EXPECT_TRUE(claims["jwtD"].is_number_integer());

  const auto me = c.get("/rest/v2/user/current");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.body["healthcarePartyId"], "hcp-alice");
  EXPECT_FALSE(me.body.contains("passwordHash"));
  const auto matches = c.get("/rest/v2/user/matches");
  ASSERT_EQ(matches.status, 200);
  ASSERT_EQ(matches.body.size(), 1u);

  // Refresh and group switch take the refresh token in a header.
  Client anon(server_->port());
  auto refreshed = anon.request("POST", "/rest/v2/auth/refresh", "", {{"Refresh-Token", c.refresh_token()}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.raw;
  EXPECT_TRUE(refreshed.body.contains("token"));
  const auto group = matches.body[0]["groupId"].get<std::string>();
  auto switched = anon.request("POST", "/rest/v2/auth/switch/" + group, "", {{"Refresh-Token", c.refresh_token()}});
  ASSERT_EQ(switched.status, 200) << switched.raw;
  // An access token is not a refresh token, and garbage is refused.
  EXPECT_EQ(anon.request("POST", "/rest/v2/auth/refresh", "", {{"Refresh-Token", c.token()}}).status, 401);
  anon.set_token("abc.def.ghi");
  EXPECT_EQ(anon.get("/rest/v2/user/current").status, 401);
  anon.set_token("");
  EXPECT_EQ(anon.get("/rest/v2/dataowner/current").status, 401);
  anon.set_token(refreshed.body["token"]);
  EXPECT_EQ(anon.get("/rest/v2/dataowner/current").status, 200);
}

TEST_F(DevServerTest, DataOwnerStubUpdate) {
  auto alice = as("alice");
  auto bob = as("bob");
  const auto cur = alice->get("/rest/v2/dataowner/current");
  ASSERT_EQ(cur.status, 200);
  EXPECT_EQ(cur.body["type"], "hcp");
  EXPECT_EQ(cur.body["dataOwner"]["id"], "hcp-alice");
  const auto stub = alice->get("/rest/v2/dataowner/stub/hcp-alice");
  ASSERT_EQ(stub.status, 200);
  EXPECT_EQ(stub.body["stub"]["publicKeysForOaepWithSha256"], json::array()) << "always present";
  EXPECT_FALSE(stub.body["stub"].contains("firstName")) << "stubs carry crypto fields only";

  json update = stub.body;
  const std::string key = std::string(500, 'a') + "0203010001";
  update["stub"]["publicKeysForOaepWithSha256"] = {key};
  const auto ok = alice->put("/rest/v2/dataowner/stub", update);
  ASSERT_EQ(ok.status, 200) << ok.raw;
  EXPECT_NE(ok.body["stub"]["rev"], stub.body["stub"]["rev"]);
  EXPECT_EQ(ok.body["stub"]["publicKeysForOaepWithSha256"][0], key);
  // Stale rev: 409, nothing changes.
  update["stub"]["publicKeysForOaepWithSha256"] = json::array();
  EXPECT_EQ(alice->put("/rest/v2/dataowner/stub", update).status, 409);
  // Someone else's stub: 403.
  json other = bob->get("/rest/v2/dataowner/stub/hcp-bob").body;
  other["stub"]["publicKeysForOaepWithSha256"] = {key};
  EXPECT_EQ(alice->put("/rest/v2/dataowner/stub", other).status, 403);
  // The full data owner keeps its other fields and shows the key to everyone.
  const auto seen = bob->get("/rest/v2/dataowner/hcp-alice");
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(seen.body["dataOwner"]["firstName"], "Alice");
  EXPECT_EQ(seen.body["dataOwner"]["publicKeysForOaepWithSha256"][0], key);
  const auto many = bob->post("/rest/v2/dataowner/stub/byIds", json{{"ids", {"hcp-alice", "nope", "pat-1"}}});
  ASSERT_EQ(many.status, 200);
  ASSERT_EQ(many.body.size(), 2u);
  EXPECT_EQ(many.body[1]["type"], "patient");
  EXPECT_EQ(bob->get("/rest/v2/dataowner/stub/nope").status, 404);
  const auto hierarchy = alice->get("/rest/v2/dataowner/current/hierarchy");
  ASSERT_EQ(hierarchy.status, 200);
  EXPECT_EQ(hierarchy.body.size(), 1u);
}

// kraken-common's bulk creation: a malformed item refuses the whole body (nothing stored); of the
// well-formed ones, those that cannot be created are left out of the {id, rev} answer.
TEST_F(DevServerTest, ExchangeDataBulkCreatesWhatItCanAndNamesIt) {
  auto alice = as("alice");
  auto bob = as("bob");
  ASSERT_EQ(alice->post("/rest/v2/exchangedata", exchange_data("xd-old", "hcp-alice", "hcp-bob")).status, 200);
  json incomplete = exchange_data("xd-b1", "hcp-alice", "hcp-bob");
  incomplete.erase("sharedSignature");
  EXPECT_EQ(alice->post("/rest/v2/exchangedata/bulk", json::array({exchange_data("xd-b0", "hcp-alice", "hcp-bob"),
                                                                     incomplete}))
                .status,
            400);
  EXPECT_EQ(alice->get("/rest/v2/exchangedata/xd-b0").status, 404) << "nothing stored from a refused body";
  EXPECT_EQ(alice->post("/rest/v2/exchangedata/bulk", exchange_data("xd-b0", "hcp-alice", "hcp-bob")).status, 400);

  json with_rev = exchange_data("xd-b4", "hcp-alice", "hcp-bob");
  with_rev["rev"] = "1-x";
  const auto r = alice->post("/rest/v2/exchangedata/bulk",
                             json::array({exchange_data("xd-b1", "hcp-alice", "hcp-bob"),
                                          exchange_data("xd-old", "hcp-alice", "hcp-bob"),     // exists
                                          exchange_data("xd-b2", "hcp-bob", "hcp-alice"),      // not the caller's
                                          exchange_data("xd-b3", "hcp-alice", "hcp-alice"), with_rev,
                                          exchange_data("xd-b1", "hcp-alice", "hcp-carol")}));  // twice
  ASSERT_EQ(r.status, 200) << r.raw;
  ASSERT_EQ(r.body.size(), 2u) << r.raw;
  EXPECT_EQ(r.body[0]["id"], "xd-b1");
  EXPECT_EQ(r.body[1]["id"], "xd-b3");
  const auto stored = bob->get("/rest/v2/exchangedata/xd-b1");
  ASSERT_EQ(stored.status, 200);
  EXPECT_EQ(stored.body["rev"], r.body[0]["rev"]);
  EXPECT_EQ(stored.body["delegate"], "hcp-bob") << "the first of two records with one id";
  EXPECT_EQ(bob->get("/rest/v2/exchangedata/xd-b2").status, 404);
  EXPECT_EQ(bob->get("/rest/v2/exchangedata/xd-b4").status, 404);
}

TEST_F(DevServerTest, ExchangeDataCrudAndAccess) {
  auto alice = as("alice");
  auto bob = as("bob");
  auto carol = as("carol");
  const auto created = alice->post("/rest/v2/exchangedata", exchange_data("xd-1", "hcp-alice", "hcp-bob"));
  ASSERT_EQ(created.status, 200) << created.raw;
  ASSERT_TRUE(created.body["rev"].is_string());
  EXPECT_EQ(alice->post("/rest/v2/exchangedata", exchange_data("xd-1", "hcp-alice", "hcp-bob")).status, 409);
  // Only the delegator (hierarchy) may create.
  EXPECT_EQ(carol->post("/rest/v2/exchangedata", exchange_data("xd-forged", "hcp-alice", "hcp-carol")).status, 403);
  json incomplete = exchange_data("xd-bad", "hcp-alice", "hcp-bob");
  incomplete["exchangeKey"] = json::object();
  EXPECT_EQ(alice->post("/rest/v2/exchangedata", incomplete).status, 400);
  EXPECT_EQ(alice->post("/rest/v2/exchangedata", exchange_data("xd-2", "hcp-alice", "hcp-alice")).status, 200);
  EXPECT_EQ(alice->post("/rest/v2/exchangedata", exchange_data("xd-3", "hcp-alice", "hcp-carol")).status, 200);

  EXPECT_EQ(bob->get("/rest/v2/exchangedata/xd-1").status, 200);
  EXPECT_EQ(carol->get("/rest/v2/exchangedata/xd-1").status, 403);
  EXPECT_EQ(carol->get("/rest/v2/exchangedata/none").status, 404);
  EXPECT_EQ(carol->post("/rest/v2/exchangedata/byIds", json{{"ids", {"xd-1", "xd-3"}}}).body.size(), 1u);

  const auto pair = bob->get("/rest/v2/exchangedata/byDelegatorDelegate/hcp-alice/hcp-bob");
  ASSERT_EQ(pair.status, 200);
  ASSERT_EQ(pair.body.size(), 1u);
  EXPECT_EQ(pair.body[0]["id"], "xd-1");
  EXPECT_EQ(carol->get("/rest/v2/exchangedata/byDelegatorDelegate/hcp-alice/hcp-bob").status, 403);

  // Pagination: 3 records of alice, pages of 2.
  auto page1 = alice->get("/rest/v2/exchangedata/byParticipant/hcp-alice?limit=2");
  ASSERT_EQ(page1.status, 200);
  ASSERT_EQ(page1.body["rows"].size(), 2u);
  ASSERT_TRUE(page1.body.contains("nextKeyPair"));
  EXPECT_EQ(page1.body["nextKeyPair"]["startKey"], "hcp-alice");
  const std::string next = page1.body["nextKeyPair"]["startKeyDocId"];
  auto page2 = alice->get("/rest/v2/exchangedata/byParticipant/hcp-alice?limit=2&startDocumentId=" + next);
  ASSERT_EQ(page2.status, 200);
  EXPECT_EQ(page2.body["rows"].size(), 1u);
  EXPECT_FALSE(page2.body.contains("nextKeyPair"));
  EXPECT_EQ(bob->get("/rest/v2/exchangedata/byParticipant/hcp-alice").status, 403);
  const auto others = alice->get("/rest/v2/exchangedata/byParticipant/hcp-alice/counterparts?counterpartsTypes=HCP,PATIENT");
  ASSERT_EQ(others.status, 200) << others.raw;
  EXPECT_EQ(others.body, json::array({"hcp-bob", "hcp-carol"}));
  EXPECT_EQ(alice->get("/rest/v2/exchangedata/byParticipant/hcp-alice/counterparts?counterpartsTypes=PATIENT").body, json::array());
  EXPECT_EQ(alice->get("/rest/v2/exchangedata/byParticipant/hcp-alice/counterparts").status, 400);
  // Exchange data already holding entries for that fingerprint in all three maps is ignored.
  EXPECT_EQ(alice->get("/rest/v2/exchangedata/byParticipant/counterparts?dataOwnerId=hcp-alice&counterpartsTypes=hcp"
                       "&ignoreOnEntryForFingerprint=0123456789abcdef012345").body, json::array());

  // Modify: rev-checked, participants only, delegator/delegate immutable.
  json mod = created.body;
  mod["exchangeKey"]["fedcba9876543210fedcba"] = "QkJCQg==";
  const auto modified = bob->put("/rest/v2/exchangedata", mod);
  ASSERT_EQ(modified.status, 200) << modified.raw;
  EXPECT_EQ(bob->put("/rest/v2/exchangedata", mod).status, 409);
  json moved = modified.body;
  moved["delegate"] = "hcp-carol";
  EXPECT_EQ(alice->put("/rest/v2/exchangedata", moved).status, 400);
  EXPECT_EQ(carol->put("/rest/v2/exchangedata", modified.body).status, 403);
  EXPECT_EQ(alice->get("/rest/v2/exchangedata/xd-1").body, modified.body);
}

TEST_F(DevServerTest, EntityAccessWithAndWithoutDelegation) {
  auto alice = as("alice");
  auto bob = as("bob");
  const json he = alice_entity(*alice, "he-1");
  EXPECT_TRUE(he["rev"].get<std::string>().rfind("1-", 0) == 0);
  EXPECT_EQ(alice->get("/rest/v2/helement/he-1").body, he);
  EXPECT_EQ(bob->get("/rest/v2/helement/he-1").status, 403);
  EXPECT_EQ(bob->get("/rest/v2/helement/missing").status, 404);
  EXPECT_EQ(bob->post("/rest/v2/helement/byIds", json{{"ids", {"he-1"}}}).body, json::array());
  EXPECT_EQ(alice->post("/rest/v2/helement/byIds", json{{"ids", {"he-1", "missing"}}}).body.size(), 1u);
  json change = he;
  change["encryptedSelf"] = "WldaWg==";
  EXPECT_EQ(bob->put(kHe, change).status, 403);
  EXPECT_EQ(bob->del("/rest/v2/helement/he-1").status, 403);
  // Duplicate id, rev on create, missing security metadata.
  EXPECT_EQ(alice->post(kHe, entity("he-1", {{sd_key("x"), explicit_delegation("hcp-alice", "hcp-alice", "xd")}})).status, 409);
  json with_rev = entity("he-2", {{sd_key("y"), explicit_delegation("hcp-alice", "hcp-alice", "xd")}});
  with_rev["rev"] = "1-abc";
  EXPECT_EQ(alice->post(kHe, with_rev).status, 400);
  EXPECT_EQ(alice->post(kHe, json{{"id", "he-3"}}).status, 400);
  // A root delegation must be WRITE; explicit delegations need an exchange data id.
  EXPECT_EQ(alice->post(kHe, entity("he-4", {{sd_key("z"), explicit_delegation("hcp-alice", "hcp-alice", "xd", "READ")}})).status, 400);
  json no_xd = explicit_delegation("hcp-alice", "hcp-alice", "xd");
  no_xd.erase("exchangeDataId");
  EXPECT_EQ(alice->post(kHe, entity("he-5", {{sd_key("w"), no_xd}})).status, 400);
  // No planting entities in someone else's name: the creator needs write access to what it creates.
  EXPECT_EQ(bob->post(kHe, entity("he-planted", {{sd_key("p"), explicit_delegation("hcp-alice", "hcp-alice", "xd")}})).status, 403);
  EXPECT_EQ(alice->get("/rest/v2/helement/he-planted").status, 404);
  // Security metadata cannot change through a plain modify.
  json sneaky = he;
  sneaky["securityMetadata"]["secureDelegations"][sd_key("evil")] = explicit_delegation("hcp-alice", "hcp-bob", "xd");
  EXPECT_EQ(alice->put(kHe, sneaky).status, 400);
  // Delete: soft, rev-checked.
  EXPECT_EQ(alice->del("/rest/v2/helement/he-1?rev=1-stale").status, 409);
  const auto deleted = alice->del("/rest/v2/helement/he-1?rev=" + he["rev"].get<std::string>());
  ASSERT_EQ(deleted.status, 200) << deleted.raw;
  EXPECT_TRUE(alice->get("/rest/v2/helement/he-1").body.contains("deletionDate"));
  // Undelete and purge need the current rev.
  const std::string deleted_rev = deleted.body["rev"];
  EXPECT_EQ(alice->request("POST", "/rest/v2/helement/undelete/he-1?rev=1-stale", "").status, 409);
  EXPECT_EQ(bob->request("POST", "/rest/v2/helement/undelete/he-1?rev=" + deleted_rev, "").status, 403);
  const auto undeleted = alice->request("POST", "/rest/v2/helement/undelete/he-1?rev=" + deleted_rev, "");
  ASSERT_EQ(undeleted.status, 200) << undeleted.raw;
  EXPECT_FALSE(undeleted.body.contains("deletionDate"));
  EXPECT_EQ(alice->del("/rest/v2/helement/purge/he-1?rev=" + deleted_rev).status, 409);
  EXPECT_EQ(alice->del("/rest/v2/helement/purge/he-1?rev=" + undeleted.body["rev"].get<std::string>()).status, 200);
  EXPECT_EQ(alice->get("/rest/v2/helement/he-1").status, 404);
}

TEST_F(DevServerTest, AccessControlKeyHeaderGrantsAccess) {
  auto alice = as("alice");
  auto pat = as("pat");
  // An entity whose root delegation is anonymous (key = sha256 of the access control key) plus a READ child.
  json delegations = {{sd_key("owner"), anonymous_delegation("WRITE")}};
  json reader = anonymous_delegation("READ");
  reader["parentDelegations"] = {sd_key("owner")};
  delegations[sd_key("reader")] = reader;
  const auto created = pat->post(kHe, entity("he-anon", delegations), ack_header({"owner"}));
  ASSERT_EQ(created.status, 200) << created.raw;

  EXPECT_EQ(pat->get("/rest/v2/helement/he-anon").status, 403) << "no header, no access";
  EXPECT_EQ(pat->get("/rest/v2/helement/he-anon", ack_header({"other"})).status, 403);
  EXPECT_EQ(pat->get("/rest/v2/helement/he-anon", ack_header({"other", "owner"})).status, 200);
  // The header may repeat; every instance counts.
  httplib::Headers two = ack_header({"other"});
  two.emplace("Icure-Access-Control-Keys", base64(ack_bytes("owner")));
  EXPECT_EQ(pat->get("/rest/v2/helement/he-anon", two).status, 200);
  // Anyone holding the key has access (it is a capability), and it is checked per permission.
  EXPECT_EQ(alice->get("/rest/v2/helement/he-anon", ack_header({"reader"})).status, 200);
  json change = created.body;
  change["encryptedSelf"] = "WldaWg==";
  EXPECT_EQ(alice->put(kHe, change, ack_header({"reader"})).status, 403) << "READ delegation cannot write";
  const auto written = alice->put(kHe, change, ack_header({"owner"}));
  EXPECT_EQ(written.status, 200) << written.raw;
  // Malformed headers: 400.
  EXPECT_EQ(pat->get("/rest/v2/helement/he-anon", {{"Icure-Access-Control-Keys", "not base64!"}}).status, 400);
  EXPECT_EQ(pat->get("/rest/v2/helement/he-anon", {{"Icure-Access-Control-Keys", base64("short")}}).status, 400);
  EXPECT_EQ(pat->get("/rest/v2/dataowner/current", {{"Icure-Request-Autofix-Anonymity", "maybe"}}).status, 400);
  EXPECT_EQ(pat->get("/rest/v2/dataowner/current", {{"Icure-Request-Autofix-Anonymity", "true"}}).status, 200);
  // A patient record without security metadata (seeded) may get its first metadata through a modify
  // by the patient; after that, metadata changes only through bulk share.
  json me = pat->get("/rest/v2/patient/pat-1").body;
  json first = me;
  first["securityMetadata"] = {{"secureDelegations", {{sd_key("self"), anonymous_delegation("WRITE")}}}};
  EXPECT_EQ(alice->put("/rest/v2/patient", first).status, 403);
  const auto initialised = pat->put("/rest/v2/patient", first);
  ASSERT_EQ(initialised.status, 200) << initialised.raw;
  json second = initialised.body;
  second["securityMetadata"]["secureDelegations"][sd_key("more")] = anonymous_delegation("WRITE");
  EXPECT_EQ(pat->put("/rest/v2/patient", second).status, 400);
  // A patient always has access to its own Patient record.
  EXPECT_EQ(pat->get("/rest/v2/patient/pat-1").status, 200);
  EXPECT_EQ(alice->get("/rest/v2/patient/pat-1").status, 403);
}

TEST_F(DevServerTest, BulkShareFollowsTheBackendAlgorithm) {
  auto alice = as("alice");
  auto bob = as("bob");
  auto carol = as("carol");
  const json he = alice_entity(*alice, "he-s");
  const std::string root = sd_key("root-he-s");
  ASSERT_EQ(alice->post("/rest/v2/exchangedata", exchange_data("xd-ab", "hcp-alice", "hcp-bob")).status, 200);

  json params = {{"requestsByEntityId",
                  {{"he-s", {{"requests", {{"0", share_request("bob", "hcp-alice", "hcp-bob", "xd-ab")}}},
                             {"potentialParentDelegations", {root}}}},
                   {"he-unknown", {{"requests", {{"0", share_request("u", "hcp-alice", "hcp-bob", "xd-ab")}}},
                                   {"potentialParentDelegations", json::array()}}}}}};
  const auto r = alice->put("/rest/v2/helement/bulkSharedMetadataUpdate", params);
  ASSERT_EQ(r.status, 200) << r.raw;
  ASSERT_EQ(r.body.size(), 2u);
  const json& ok = r.body[0]["entityId"] == "he-s" ? r.body[0] : r.body[1];
  const json& missing = r.body[0]["entityId"] == "he-s" ? r.body[1] : r.body[0];
  EXPECT_EQ(ok["entityRev"], he["rev"]) << "rev before the update";
  EXPECT_EQ(ok["rejectedRequests"], json::object());
  const json& added = ok["updatedEntity"]["securityMetadata"]["secureDelegations"][sd_key("bob")];
  EXPECT_EQ(added["delegate"], "hcp-bob");
  EXPECT_EQ(added["exchangeDataId"], "xd-ab");
  EXPECT_EQ(added["parentDelegations"], json::array({root}));
  EXPECT_EQ(added["permissions"], "WRITE") << "MAX_WRITE under a WRITE parent";
  EXPECT_EQ(missing["rejectedRequests"]["0"]["code"], 404);
  EXPECT_FALSE(missing.contains("entityRev"));

  // Bob now reads it; the stored entity is the updated one.
  const auto bob_view = bob->get("/rest/v2/helement/he-s");
  ASSERT_EQ(bob_view.status, 200);
  EXPECT_EQ(bob_view.body, ok["updatedEntity"]);

  // Same key again: per-request 400 rejection, nothing saved.
  const auto again = alice->put("/rest/v2/helement/bulkSharedMetadataUpdate", json{{"requestsByEntityId",
      {{"he-s", {{"requests", {{"0", share_request("bob", "hcp-alice", "hcp-bob", "xd-ab")}}}, {"potentialParentDelegations", {root}}}}}}});
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body[0]["rejectedRequests"]["0"]["code"], 400);
  EXPECT_FALSE(again.body[0].contains("updatedEntity"));

  // Carol has no access: looks like a missing entity, and nothing changes.
  const auto forged = carol->put("/rest/v2/helement/bulkSharedMetadataUpdate", json{{"requestsByEntityId",
      {{"he-s", {{"requests", {{"0", share_request("carol", "hcp-carol", "hcp-carol", "xd-cc", "ROOT")}}}, {"potentialParentDelegations", {root}}}}}}});
  ASSERT_EQ(forged.status, 200);
  EXPECT_EQ(forged.body[0]["rejectedRequests"]["0"]["code"], 404);
  EXPECT_EQ(carol->get("/rest/v2/helement/he-s").status, 403);

  // Without a valid parent: 400 rejection.
  const auto orphan = alice->put("/rest/v2/helement/bulkSharedMetadataUpdate", json{{"requestsByEntityId",
      {{"he-s", {{"requests", {{"0", share_request("orphan", "hcp-alice", "hcp-carol", "xd-ac")}}}, {"potentialParentDelegations", json::array()}}}}}});
  EXPECT_EQ(orphan.body[0]["rejectedRequests"]["0"]["code"], 400);

  // Parent rule + anonymous delegate: alice shares with the patient, naming both her delegations as
  // potential parents; the minimal set is bob's delegation (the root is its ancestor). The encrypted
  // exchange data id becomes an exchange data map keyed by the secure delegation key.
  json to_patient = {{"share", {{"explicitDelegator", "hcp-alice"},
                                {"accessControlKeys", {ack_hex("pat")}},
                                {"secretIds", {"c2VjcmV0Mw=="}},
                                {"encryptionKeys", {"a2V5Mw=="}},
                                {"encryptedExchangeDataId", {{"0123456789abcdef012345", "ZW5jcnlwdGVk"}}},
                                {"requestedPermissions", "MAX_READ"}}}};
  const auto anon = alice->put("/rest/v2/helement/bulkSharedMetadataUpdate", json{{"requestsByEntityId",
      {{"he-s", {{"requests", {{"0", to_patient}}}, {"potentialParentDelegations", {root, sd_key("bob")}}}}}}});
  ASSERT_EQ(anon.status, 200) << anon.raw;
  const json& pd = anon.body[0]["updatedEntity"]["securityMetadata"]["secureDelegations"][sd_key("pat")];
  EXPECT_EQ(pd["parentDelegations"], json::array({sd_key("bob")}));
  EXPECT_EQ(pd["permissions"], "READ");
  EXPECT_FALSE(pd.contains("delegate"));
  EXPECT_FALSE(pd.contains("exchangeDataId"));
  const auto maps = bob->post("/rest/v2/exchangedatamap/batch", json{{"ids", {sd_key("pat")}}});
  ASSERT_EQ(maps.status, 200);
  ASSERT_EQ(maps.body.size(), 1u);
  EXPECT_EQ(maps.body[0]["encryptedExchangeDataIds"]["0123456789abcdef012345"], "ZW5jcnlwdGVk");

  // Update request: add a secret id to bob's delegation; deleting a missing entry is rejected.
  json update = {{"update", {{"metadataAccessControlHash", sd_key("bob")}, {"secretIds", {{"bmV3", "CREATE"}}}}}};
  json bad_update = {{"update", {{"metadataAccessControlHash", sd_key("bob")}, {"encryptionKeys", {{"bm9uZQ==", "DELETE"}}}}}};
  const auto upd = bob->put("/rest/v2/helement/bulkSharedMetadataUpdate", json{{"requestsByEntityId",
      {{"he-s", {{"requests", {{"a", update}, {"b", bad_update}}}, {"potentialParentDelegations", json::array()}}}}}});
  ASSERT_EQ(upd.status, 200) << upd.raw;
  EXPECT_EQ(upd.body[0]["rejectedRequests"]["b"]["code"], 400);
  const json secret_ids = upd.body[0]["updatedEntity"]["securityMetadata"]["secureDelegations"][sd_key("bob")]["secretIds"];
  EXPECT_NE(std::find(secret_ids.begin(), secret_ids.end(), "bmV3"), secret_ids.end());

  // Structural errors fail the whole call with 400 and change nothing.
  const std::string rev_before = alice->get("/rest/v2/helement/he-s").body["rev"];
  json two_keys = share_request("k2", "hcp-alice", "hcp-bob", "xd-ab");
  two_keys["share"]["accessControlKeys"] = {ack_hex("k2"), ack_hex("k3")};
  json unknown_field = share_request("k4", "hcp-alice", "hcp-bob", "xd-ab");
  unknown_field["share"]["surprise"] = true;
  for (const json& bad : {two_keys, unknown_field}) {
    const auto res = alice->put("/rest/v2/helement/bulkSharedMetadataUpdate", json{{"requestsByEntityId",
        {{"he-s", {{"requests", {{"0", share_request("k5", "hcp-alice", "hcp-bob", "xd-ab")}, {"1", bad}}},
                   {"potentialParentDelegations", {root}}}}}}});
    EXPECT_EQ(res.status, 400) << res.raw;
  }
  EXPECT_EQ(alice->get("/rest/v2/helement/he-s").body["rev"], rev_before);
}

TEST_F(DevServerTest, StaleRevisionIsAConflictAndChangesNothing) {
  auto alice = as("alice");
  const json he = alice_entity(*alice, "he-rev");
  json first = he;
  first["encryptedSelf"] = "Rmlyc3Q=";
  const auto r1 = alice->put(kHe, first);
  ASSERT_EQ(r1.status, 200) << r1.raw;
  EXPECT_EQ(r1.body["rev"].get<std::string>().substr(0, 2), "2-");
  json second = he;  // still the old rev
  second["encryptedSelf"] = "U2Vjb25k";
  const auto r2 = alice->put(kHe, second);
  EXPECT_EQ(r2.status, 409);
  EXPECT_TRUE(r2.body.contains("message"));
  EXPECT_EQ(alice->get("/rest/v2/helement/he-rev").body, r1.body);
  json no_rev = r1.body;
  no_rev.erase("rev");
  EXPECT_EQ(alice->put(kHe, no_rev).status, 400);
  // Batch modify drops stale items silently.
  const auto batch = alice->put("/rest/v2/helement/batch", json::array({second}));
  ASSERT_EQ(batch.status, 200);
  EXPECT_EQ(batch.body, json::array());
}

TEST_F(DevServerTest, EveryEntityKindEnforcesRevOnUpdate) {
  auto alice = as("alice");
  for (const std::string kind : {"helement", "patient", "document", "contact"}) {
    const std::string path = "/rest/v2/" + kind;
    const std::string id = kind + "-rev";
    const json created = alice_entity(*alice, id, path);
    const std::string rev1 = created["rev"];
    json first = created;
    first["encryptedSelf"] = "Rmlyc3Q=";
    const auto ok = alice->put(path, first);
    ASSERT_EQ(ok.status, 200) << kind << ": " << ok.raw;
    const std::string rev2 = ok.body["rev"];
    EXPECT_NE(rev2, rev1) << kind << ": a successful update gets a new rev";
    EXPECT_EQ(rev2.substr(0, 2), "2-") << kind;
    // Stale, made up (right shape, unknown value), of a future generation, missing, not a string:
    // refused, and the stored record is unchanged.
    for (const json& bad_rev : {json(rev1), json("2-0123456789abcdef0123456789abcdef"),
                                json("9-0123456789abcdef0123456789abcdef"), json("garbage")}) {
      json write = ok.body;
      write["rev"] = bad_rev;
      write["encryptedSelf"] = "U2Vjb25k";
      EXPECT_EQ(alice->put(path, write).status, 409) << kind << " rev " << bad_rev.dump();
    }
    json no_rev = ok.body;
    no_rev.erase("rev");
    no_rev["encryptedSelf"] = "U2Vjb25k";
    EXPECT_EQ(alice->put(path, no_rev).status, 400) << kind << ": the backend's answer to a null rev";
    json number_rev = ok.body;
    number_rev["rev"] = 2;
    EXPECT_EQ(alice->put(path, number_rev).status / 100, 4) << kind;
    EXPECT_EQ(alice->get(path + "/" + id).body, ok.body) << kind << ": nothing was written";
  }
}

TEST_F(DevServerTest, ModifyComparesSecurityMetadataAsTheBackendModelDoes) {
  // The official SDK adds default values (keysEquivalences: {}) to metadata another client wrote
  // without them, or omits empty collections: the same metadata for the backend, not a change.
  auto alice = as("alice");
  const json he = alice_entity(*alice, "he-meta");
  json with_defaults = he;
  with_defaults["securityMetadata"]["keysEquivalences"] = json::object();
  for (auto& [key, d] : with_defaults["securityMetadata"]["secureDelegations"].items()) {
    d["parentDelegations"] = json::array();
    d.erase("owningEntityIds");
  }
  const auto ok = alice->put(kHe, with_defaults);
  EXPECT_EQ(ok.status, 200) << ok.raw;
  json changed = ok.body;
  for (auto& [key, d] : changed["securityMetadata"]["secureDelegations"].items()) d["permissions"] = "READ";
  EXPECT_EQ(alice->put(kHe, changed).status, 400) << "a real change still goes through bulk share only";
}

TEST_F(DevServerTest, BadInputGets4xxWithJsonBody) {
  auto alice = as("alice");
  alice_entity(*alice, "he-bad");
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/rest/v2/helement"}, {"PUT", "/rest/v2/helement"}, {"POST", "/rest/v2/exchangedata"},
           {"PUT", "/rest/v2/dataowner/stub"}, {"PUT", "/rest/v2/helement/bulkSharedMetadataUpdate"},
           {"PUT", "/rest/v2/exchangedatamap/batch"}, {"POST", "/rest/v2/helement/byIds"}, {"POST", "/rest/v2/auth/login"}}) {
    for (const std::string body : {"{not json", "[1,2,3]", "\"text\"", "{\"id\": 42, \"ids\": 7, \"stub\": []}", ""}) {
      const auto r = alice->request(method, path, body);
      EXPECT_GE(r.status, 400) << method << ' ' << path << ' ' << body;
      EXPECT_LT(r.status, 500) << method << ' ' << path << ' ' << body << ' ' << r.raw;
      EXPECT_TRUE(r.body.is_object() && r.body.contains("message")) << method << ' ' << path << ' ' << r.raw;
    }
  }
  // Wrong types deep inside an otherwise valid entity.
  json bad = entity("he-x", {{sd_key("x"), explicit_delegation("hcp-alice", "hcp-alice", "xd")}});
  bad["securityMetadata"]["secureDelegations"][sd_key("x")]["secretIds"] = "not an array";
  EXPECT_EQ(alice->post(kHe, bad).status, 400);
  bad["securityMetadata"]["secureDelegations"][sd_key("x")]["secretIds"] = json::array({1});
  EXPECT_EQ(alice->post(kHe, bad).status, 400);
  EXPECT_EQ(alice->get("/rest/v2/helement/he-x").status, 404) << "nothing was written";
  // Hostile nesting inside a free field: refused, never stored (it would be serialised recursively).
  json nested = entity("he-deep", {{sd_key("d"), explicit_delegation("hcp-alice", "hcp-alice", "xd")}});
  std::string deep = std::string(20000, '[') + std::string(20000, ']');
  std::string body = nested.dump();
  body.insert(1, "\"x\":" + deep + ",");
  EXPECT_EQ(alice->request("POST", kHe, body).status, 400);
  EXPECT_EQ(alice->get("/rest/v2/helement/he-deep").status, 404);
  // Oversized body (server started with --max-body-bytes 65536).
  json huge = entity("he-huge", {{sd_key("h"), explicit_delegation("hcp-alice", "hcp-alice", "xd")}}, std::string(70000, 'A'));
  const auto big = alice->post(kHe, huge);
  EXPECT_EQ(big.status, 413);
  EXPECT_TRUE(big.body.is_object() && big.body.contains("message")) << big.raw;
  EXPECT_EQ(alice->get("/rest/v2/helement/he-huge").status, 404);
  // Unknown route: JSON 404.
  const auto nowhere = alice->get("/rest/v2/nowhere");
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_TRUE(nowhere.body.is_object());
  // The admin endpoint does not exist without --insecure-test-admin.
  EXPECT_EQ(alice->get("/devserver/admin/health_elements/he-bad").status, 404);
  // Still alive.
  EXPECT_EQ(alice->get("/rest/v2/helement/he-bad").status, 200);
}

TEST_F(DevServerTest, RestartOnTheSameDatabaseKeepsData) {
  auto alice = as("alice");
  const json he = alice_entity(*alice, "he-persist");
  json stub = alice->get("/rest/v2/dataowner/current/stub").body;
  stub["stub"]["publicKeysForOaepWithSha256"] = {std::string(500, 'b') + "0203010001"};
  ASSERT_EQ(alice->put("/rest/v2/dataowner/stub", stub).status, 200);
  const std::string token = alice->token();
  ASSERT_EQ(server_->stop(), 0);
  start();  // same --db, same seed (already-seeded users are kept as they are)
  Client again(server_->port());
  again.set_token(token);
  EXPECT_EQ(again.get("/rest/v2/user/current").status, 200) << "tokens survive a restart";
  ASSERT_EQ(again.login("alice", "alice-pw").status, 200);
  EXPECT_EQ(again.get("/rest/v2/helement/he-persist").body, he);
  EXPECT_EQ(again.get("/rest/v2/dataowner/current").body["dataOwner"]["publicKeysForOaepWithSha256"].size(), 1u);
  EXPECT_EQ(again.get("/rest/v2/exchangedata/xd-alice-alice").status, 200);
}

TEST_F(DevServerTest, DocumentAttachmentRoundTrip) {
  auto alice = as("alice");
  auto bob = as("bob");
  const json doc = alice_entity(*alice, "doc-1", "/rest/v2/document");
  std::string bytes(3000, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  const std::string path = "/rest/v2/document/doc-1/attachment?rev=" + doc["rev"].get<std::string>() + "&utis=public.data&encrypted=true";
  const auto up = alice->request("PUT", path, bytes, {}, "application/octet-stream");
  ASSERT_EQ(up.status, 200) << up.raw;
  EXPECT_TRUE(up.body["attachmentId"].is_string());
  EXPECT_EQ(up.body["mainUti"], "public.data");
  EXPECT_EQ(alice->request("PUT", path, bytes, {}, "application/octet-stream").status, 409) << "stale rev";
  const auto down = alice->get("/rest/v2/document/doc-1/attachment");
  ASSERT_EQ(down.status, 200);
  EXPECT_EQ(down.raw, bytes);
  EXPECT_EQ(bob->get("/rest/v2/document/doc-1/attachment").status, 403);
}

TEST_F(DevServerTest, ExchangeDataMapsAndRecoveryData) {
  auto alice = as("alice");
  auto bob = as("bob");
  const auto put1 = alice->put("/rest/v2/exchangedatamap/batch", json{{"batch", {{ack_hex("m"), {{"aaaaaaaaaaaaaaaaaaaaaa", "Zmlyc3Q="}}}}}});
  ASSERT_EQ(put1.status, 200) << put1.raw;
  EXPECT_EQ(put1.raw, "ok");
  // Add-only: an existing entry never changes, new fingerprints are added.
  alice->put("/rest/v2/exchangedatamap/batch", json{{"batch", {{ack_hex("m"), {{"aaaaaaaaaaaaaaaaaaaaaa", "b3RoZXI="}, {"bbbbbbbbbbbbbbbbbbbbbb", "c2Vjb25k"}}}}}});
  const auto maps = bob->post("/rest/v2/exchangedatamap/batch", json{{"ids", {sd_key("m"), sd_key("none")}}});
  ASSERT_EQ(maps.status, 200);
  ASSERT_EQ(maps.body.size(), 1u);
  EXPECT_EQ(maps.body[0]["id"], sd_key("m"));
  EXPECT_EQ(maps.body[0]["encryptedExchangeDataIds"]["aaaaaaaaaaaaaaaaaaaaaa"], "Zmlyc3Q=");
  EXPECT_EQ(maps.body[0]["encryptedExchangeDataIds"]["bbbbbbbbbbbbbbbbbbbbbb"], "c2Vjb25k");
  EXPECT_EQ(alice->put("/rest/v2/exchangedatamap/batch", json{{"batch", {{ack_hex("e"), json::object()}}}}).status, 400);

  json rd = {{"id", "rd-1"}, {"recipient", "hcp-bob"}, {"encryptedSelf", "QUFB"}, {"type", "KEYPAIR_RECOVERY"}};
  ASSERT_EQ(alice->post("/rest/v2/recoverydata", rd).status, 200);
  EXPECT_EQ(alice->post("/rest/v2/recoverydata", rd).status, 409);
  EXPECT_EQ(bob->get("/rest/v2/recoverydata/rd-1").body["recipient"], "hcp-bob");
  json expired = rd;
  expired["id"] = "rd-2";
  expired["expirationInstant"] = 1000;
  EXPECT_EQ(alice->post("/rest/v2/recoverydata", expired).status, 400);
  EXPECT_EQ(alice->del("/rest/v2/recoverydata/forRecipient/hcp-bob").status, 403);
  const auto purged = bob->del("/rest/v2/recoverydata/forRecipient/hcp-bob");
  ASSERT_EQ(purged.status, 200);
  EXPECT_EQ(purged.body["numberValue"], 1);
  EXPECT_EQ(bob->get("/rest/v2/recoverydata/rd-1").status, 404);
}

TEST_F(DevServerTest, HealthcarePartyHierarchyGivesAccessToWhatTheParentCanRead) {
  auto alice = as("alice");
  auto child = as("child");
  const auto hierarchy = child->get("/rest/v2/dataowner/current/hierarchy");
  ASSERT_EQ(hierarchy.status, 200);
  ASSERT_EQ(hierarchy.body.size(), 2u);
  EXPECT_EQ(hierarchy.body[0]["dataOwner"]["id"], "hcp-child") << "self first";
  EXPECT_EQ(hierarchy.body[1]["dataOwner"]["id"], "hcp-org");
  EXPECT_EQ(child->get("/rest/v2/dataowner/current/hierarchy/stub").body[1]["stub"]["id"], "hcp-org");
  const json he = alice_entity(*alice, "he-h");
  ASSERT_EQ(alice->post("/rest/v2/exchangedata", exchange_data("xd-ao", "hcp-alice", "hcp-org")).status, 200);
  EXPECT_EQ(child->get("/rest/v2/helement/he-h").status, 403);
  const auto shared = alice->put("/rest/v2/helement/bulkSharedMetadataUpdate", json{{"requestsByEntityId",
      {{"he-h", {{"requests", {{"0", share_request("org", "hcp-alice", "hcp-org", "xd-ao", "FULL_READ")}}},
                 {"potentialParentDelegations", {sd_key("root-he-h")}}}}}}});
  ASSERT_EQ(shared.status, 200) << shared.raw;
  EXPECT_EQ(child->get("/rest/v2/helement/he-h").status, 200) << "shared with the parent";
  EXPECT_EQ(child->get("/rest/v2/exchangedata/xd-ao").status, 200);
  json change = child->get("/rest/v2/helement/he-h").body;
  change["encryptedSelf"] = "Q2hpbGQ=";
  EXPECT_EQ(child->put(kHe, change).status, 403) << "FULL_READ gives no write access";
  // A child may create exchange data in its parent's name (ParentDelegator key mode), not modify its stub.
  EXPECT_EQ(child->post("/rest/v2/exchangedata", exchange_data("xd-oc", "hcp-org", "hcp-alice")).status, 200);
  json org_stub = child->get("/rest/v2/dataowner/stub/hcp-org").body;
  EXPECT_EQ(child->put("/rest/v2/dataowner/stub", org_stub).status, 403);
  json own = child->get("/rest/v2/dataowner/current/stub").body;
  own["stub"]["parentId"] = "hcp-alice";
  EXPECT_EQ(child->put("/rest/v2/dataowner/stub", own).status, 400) << "parentId is immutable";
}

// Replaces one random node of `doc` by a value of a random type (or removes an object member).
void mutate(json& doc, std::mt19937& rng) {
  json* node = &doc;
  json* parent = nullptr;
  std::string key;
  while ((node->is_object() || node->is_array()) && !node->empty() && rng() % 3 != 0) {
    parent = node;
    if (node->is_object()) {
      auto it = node->begin();
      std::advance(it, static_cast<long>(rng() % node->size()));
      key = it.key();
      node = &it.value();
    } else {
      node = &(*node)[rng() % node->size()];
      key.clear();
    }
  }
  switch (rng() % 8) {
    case 0: *node = nullptr; break;
    case 1: *node = static_cast<int>(rng() % 1000) - 500; break;
    case 2: *node = 1.5; break;
    case 3: *node = "x"; break;
    case 4: *node = json::array({1, "a", nullptr}); break;
    case 5: *node = json::object({{"k", json::array()}}); break;
    case 6: *node = true; break;
    default:
      if (parent != nullptr && parent->is_object() && !key.empty()) parent->erase(key);
      else *node = json::object();
  }
}

TEST_F(DevServerTest, RandomlyMutatedRequestsNeverCauseA5xx) {
  auto alice = as("alice");
  const json he = alice_entity(*alice, "he-fuzz");
  const std::string root = sd_key("root-he-fuzz");
  ASSERT_EQ(alice->post("/rest/v2/exchangedata", exchange_data("xd-fb", "hcp-alice", "hcp-bob")).status, 200);
  const json share = {{"requestsByEntityId", {{"he-fuzz", {{"requests", {{"0", share_request("f", "hcp-alice", "hcp-bob", "xd-fb")}}},
                                                            {"potentialParentDelegations", {root}}}}}}};
  const json stub = alice->get("/rest/v2/dataowner/current/stub").body;
  const std::vector<std::tuple<std::string, std::string, json>> seeds = {
      {"PUT", "/rest/v2/helement/bulkSharedMetadataUpdate", share},
      {"PUT", "/rest/v2/helement", he},
      {"POST", "/rest/v2/helement", entity("he-new", {{sd_key("n"), explicit_delegation("hcp-alice", "hcp-alice", "xd")}})},
      {"POST", "/rest/v2/exchangedata", exchange_data("xd-new", "hcp-alice", "hcp-bob")},
      {"PUT", "/rest/v2/dataowner/stub", stub},
      {"PUT", "/rest/v2/exchangedatamap/batch", json{{"batch", {{ack_hex("q"), {{"aaaaaaaaaaaaaaaaaaaaaa", "QQ=="}}}}}}},
      {"POST", "/rest/v2/recoverydata", json{{"id", "rd-f"}, {"recipient", "hcp-bob"}, {"encryptedSelf", "QQ=="}, {"type", "KEYPAIR_RECOVERY"}}},
      {"POST", "/rest/v2/helement/byIds", json{{"ids", {"he-fuzz"}}}},
  };
  std::mt19937 rng(20261124);
  int sent = 0;
  for (int round = 0; round < 60; ++round) {
    for (const auto& [method, path, body] : seeds) {
      json mutated = body;
      const int mutations = 1 + static_cast<int>(rng() % 3);
      for (int m = 0; m < mutations; ++m) mutate(mutated, rng);
      const auto r = alice->request(method, path, mutated.dump());
      ++sent;
      EXPECT_GT(r.status, 0) << "transport failure: " << r.raw;
      EXPECT_LT(r.status, 500) << method << ' ' << path << ' ' << mutated.dump() << " -> " << r.raw;
      if (r.status >= 400) {
        EXPECT_TRUE(r.body.is_object() && r.body.contains("message")) << r.raw;
      }
    }
  }
  EXPECT_EQ(sent, 480);
  EXPECT_EQ(alice->get("/rest/v2/dataowner/current").status, 200) << "still serving";
}

TEST_F(DevServerTest, RecordsCanBeTamperedWithThroughTheSqliteFile) {
  // Tests of malicious-server behaviour edit the JSON documents directly; the server reads them fresh.
  auto alice = as("alice");
  ASSERT_EQ(alice->post("/rest/v2/exchangedata", exchange_data("xd-t", "hcp-alice", "hcp-bob")).status, 200);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  const std::string injected = std::string(500, 'e') + "0203010001";
  const std::string sql =
      "UPDATE exchange_data SET doc = json_set(doc, '$.sharedSignature', 'dGFtcGVyZWQ=') WHERE id = 'xd-t';"
      "UPDATE healthcare_parties SET doc = json_set(doc, '$.publicKeysForOaepWithSha256', json_array('" + injected +
      "')) WHERE id = 'hcp-bob';";
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
  EXPECT_EQ(alice->get("/rest/v2/exchangedata/xd-t").body["sharedSignature"], "dGFtcGVyZWQ=");
  EXPECT_EQ(alice->get("/rest/v2/dataowner/stub/hcp-bob").body["stub"]["publicKeysForOaepWithSha256"][0], injected);
}

// ------------------------------------------------------------------ hostile input (issues 13 §2, 14 §7)

// An entity body (with a valid root delegation for alice) carrying `member` as the field "x".
std::string body_with(const std::string& id, const std::string& member) {
  json e = entity(id, {{sd_key("root-" + id), explicit_delegation("hcp-alice", "hcp-alice", "xd-alice-alice")}});
  std::string body = e.dump();
  body.insert(1, "\"x\":" + member + ",");
  return body;
}

std::string deep_array(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_F(DevServerTest, HostileNestingInARequestBodyIsRefusedAtEveryDepth) {
  server_.reset();
  server_ = std::make_unique<DevServer>(db_, SeedFile{seed_});  // default limits: the 10^6 body is 2 MB
  auto alice = as("alice");
  alice->post("/rest/v2/exchangedata", exchange_data("xd-alice-alice", "hcp-alice", "hcp-alice"));
  for (const std::size_t depth : {1'000u, 10'000u, 100'000u, 1'000'000u}) {
    const std::string id = "he-deep-" + std::to_string(depth);
    const auto r = alice->request("POST", kHe, body_with(id, deep_array(depth)));
    EXPECT_EQ(r.status, 400) << depth << ' ' << r.raw.substr(0, 200);
    EXPECT_NE(r.raw.find("nested deeper than 64 levels"), std::string::npos) << r.raw.substr(0, 200);
    EXPECT_EQ(alice->get("/rest/v2/helement/" + id).status, 404) << "nothing stored";
    // Objects too, and on another route.
    std::string objects;
    for (std::size_t i = 0; i < depth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(depth, '}');
    EXPECT_EQ(alice->request("POST", "/rest/v2/exchangedata", objects).status, 400) << depth;
  }
  // Up to the documented 64 levels is fine.
  const auto ok = alice->request("POST", kHe, body_with("he-64", deep_array(62)));
  EXPECT_EQ(ok.status, 200) << ok.raw;
  EXPECT_EQ(alice->get("/rest/v2/user/current").status, 200) << "still alive";
}

// 40 MiB of base64 in encryptedSelf: a well-formed entity, only too large.
std::string large_entity(const std::string& id, std::size_t bytes) {
  return entity(id, {{sd_key("root-" + id), explicit_delegation("hcp-alice", "hcp-alice", "xd-alice-alice")}},
                std::string(bytes, 'A'))
      .dump();
}

TEST_F(DevServerTest, JsonBodiesOverTheDefault16MiBGet413EvenChunked) {
  // The server may close the connection while the client still sends: a write error, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  server_.reset();
  server_ = std::make_unique<DevServer>(db_, SeedFile{seed_});  // default --max-body-bytes (16 MiB)
  auto alice = as("alice");
  ASSERT_EQ(alice->post("/rest/v2/exchangedata", exchange_data("xd-alice-alice", "hcp-alice", "hcp-alice")).status, 200);
  const std::string big = large_entity("he-40", 40u << 20);
  const auto r = alice->request("POST", kHe, big);
  EXPECT_EQ(r.status, 413);
  ASSERT_TRUE(r.body.is_object()) << r.raw.substr(0, 200);
  EXPECT_NE(r.body.value("message", "").find("16777216 bytes"), std::string::npos) << r.raw;
  EXPECT_NE(r.body.value("message", "").find("--max-body-bytes"), std::string::npos) << r.raw;
  EXPECT_EQ(alice->get("/rest/v2/helement/he-40").status, 404);
  // The same body sent chunked (no Content-Length) is refused, never stored.
  {
    httplib::Client raw("127.0.0.1", server_->port());
    raw.set_read_timeout(60);
    const std::string body = large_entity("he-40c", 40u << 20);
    auto res = raw.Post(
        kHe, {{"Authorization", "Bearer " + alice->token()}},
        [&](std::size_t offset, httplib::DataSink& sink) {
          const std::size_t n = std::min<std::size_t>(1 << 20, body.size() - offset);
          sink.write(body.data() + offset, n);
          if (offset + n == body.size()) sink.done();
          return true;
        },
        "application/json");
    if (res) {
      EXPECT_EQ(res->status, 411) << res->body.substr(0, 200);
      EXPECT_NE(res->body.find("Content-Length"), std::string::npos) << res->body.substr(0, 200);
    }  // else: the server closed the connection while the client was still sending (also a refusal)
  }
  EXPECT_EQ(alice->get("/rest/v2/helement/he-40c").status, 404) << "a chunked body must not bypass the limit";
  EXPECT_EQ(alice->get("/rest/v2/user/current").status, 200) << "still alive";
}

TEST_F(DevServerTest, MaxBodyBytesFlagSetsTheLimit) {
  server_.reset();
  server_ = std::make_unique<DevServer>(db_, SeedFile{seed_}, std::vector<std::string>{"--max-body-bytes", "2000000"});
  auto alice = as("alice");
  ASSERT_EQ(alice->post("/rest/v2/exchangedata", exchange_data("xd-alice-alice", "hcp-alice", "hcp-alice")).status, 200);
  const auto under = alice->request("POST", kHe, large_entity("he-1", 1'500'000));
  EXPECT_EQ(under.status, 200) << under.raw.substr(0, 200);
  const auto over = alice->request("POST", kHe, large_entity("he-2", 2'500'000));
  EXPECT_EQ(over.status, 413) << over.raw.substr(0, 200);
  EXPECT_NE(over.raw.find("2000000 bytes"), std::string::npos) << over.raw.substr(0, 200);
  EXPECT_EQ(alice->get("/rest/v2/helement/he-2").status, 404);
}

TEST_F(DevServerTest, AttachmentsHaveTheirOwnLimit) {
  std::signal(SIGPIPE, SIG_IGN);  // as above
  server_.reset();
  server_ = std::make_unique<DevServer>(
      db_, SeedFile{seed_}, std::vector<std::string>{"--max-body-bytes", "65536", "--max-attachment-bytes", "1000000"});
  auto alice = as("alice");
  json doc = alice_entity(*alice, "doc-1", "/rest/v2/document");
  auto path = [&] { return "/rest/v2/document/doc-1/attachment?rev=" + doc["rev"].get<std::string>(); };
  // Above the JSON limit, under the attachment limit: accepted, with a Content-Length or chunked.
  const std::string medium(500'000, 'm');
  const auto up = alice->request("PUT", path(), medium, {}, "application/octet-stream");
  ASSERT_EQ(up.status, 200) << up.raw.substr(0, 200);
  doc = up.body;
  httplib::Client raw("127.0.0.1", server_->port());
  auto chunked = [&](const std::string& bytes) {
    return raw.Put(
        path(), {{"Authorization", "Bearer " + alice->token()}},
        [&](std::size_t offset, httplib::DataSink& sink) {
          const std::size_t n = std::min<std::size_t>(65536, bytes.size() - offset);
          sink.write(bytes.data() + offset, n);
          if (offset + n == bytes.size()) sink.done();
          return true;
        },
        "application/octet-stream");
  };
  auto streamed = chunked(std::string(600'000, 's'));
  ASSERT_TRUE(streamed);
  ASSERT_EQ(streamed->status, 200) << streamed->body.substr(0, 200);
  doc = json::parse(streamed->body);
  EXPECT_EQ(doc["size"], 600'000);
  // Over the attachment limit: 413 with a message naming the flag, the attachment unchanged.
  const auto big = alice->request("PUT", path(), std::string(2'000'000, 'b'), {}, "application/octet-stream");
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.raw.find("max-attachment-bytes"), std::string::npos) << big.raw.substr(0, 200);
  auto big_chunked = chunked(std::string(2'000'000, 'c'));
  if (big_chunked) {
    EXPECT_EQ(big_chunked->status, 413);
    EXPECT_NE(big_chunked->body.find("--max-attachment-bytes"), std::string::npos) << big_chunked->body.substr(0, 200);
  }
  const auto down = alice->get("/rest/v2/document/doc-1/attachment");
  ASSERT_EQ(down.status, 200);
  EXPECT_TRUE(down.raw == std::string(600'000, 's')) << "the stored attachment changed: " << down.raw.size() << " bytes";
  // JSON routes still use the JSON limit.
  EXPECT_EQ(alice->request("POST", kHe, large_entity("he-big", 70'000)).status, 413);
}

}  // namespace
}  // namespace devserver_test
