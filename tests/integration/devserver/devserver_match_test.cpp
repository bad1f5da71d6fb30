// cardinal-devserver: POST /rest/v2/<e>/match (AbstractFilter → ids), byIds, and the bulk
// lifecycle calls, against the real binary. The filters' shapes are those the official SDK sends;
// the semantics those of kraken-common (tools/devserver/README.md, "Queries").
#include <gtest/gtest.h>

#include <memory>

#include <sqlite3.h>

#include "devserver_client.hpp"

namespace devserver_test {
namespace {

constexpr const char* kHe = "/rest/v2/helement";

json delegation(const std::string& delegator, const std::string& delegate) {
  return {{"delegator", delegator}, {"delegate", delegate}, {"secretIds", {"c2VjcmV0"}}, {"encryptionKeys", {"a2V5"}},
          {"exchangeDataId", "xd-" + delegator + "-" + delegate}, {"permissions", "WRITE"}};
}

// An entity alice can write, shared (as a root delegation) with every data owner in `also`.
json owned(const std::string& id, const std::string& owner, const std::vector<std::string>& also = {}) {
  json sd = {{sd_key("root-" + id), delegation(owner, owner)}};
  for (const auto& other : also) sd[sd_key(other + "-" + id)] = delegation(owner, other);
  return {{"id", id}, {"encryptedSelf", "QUJDRA=="}, {"securityMetadata", {{"secureDelegations", sd}}}};
}

json anonymous_root(const std::string& id, const std::string& ack_label) {
  const json d = {{"secretIds", {"c2VjcmV0"}}, {"encryptionKeys", {"a2V5"}}, {"permissions", "WRITE"}};
  return {{"id", id}, {"encryptedSelf", "QUJDRA=="}, {"securityMetadata", {{"secureDelegations", {{sd_key(ack_label), d}}}}}};
}

httplib::Headers ack_header(const std::string& label) { return {{"Icure-Access-Control-Keys", base64(ack_bytes(label))}}; }

json by_patient(const std::string& owner, const std::vector<std::string>& sfks) {
  return {{"$type", "HealthElementByDataOwnerPatientOpeningDate"}, {"healthcarePartyId", owner}, {"patientSecretForeignKeys", sfks}};
}

json tag_code(const std::string& owner) { return {{"$type", "HealthElementByHcPartyTagCodeFilter"}, {"healthcarePartyId", owner}}; }

json ids_of(std::initializer_list<const char*> ids) {
  json out = json::array();
  for (const char* id : ids) out.push_back(id);
  return out;
}

class DevServerMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("devserver-match");
    seed_ = dir_ / "seed.json";
    std::ofstream(seed_) << default_seed().dump();
    db_ = (dir_ / "db.sqlite").string();
    server_ = std::make_unique<DevServer>(db_, SeedFile{seed_});
    alice_ = as("alice");
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<Client> as(const std::string& user) {
    auto c = std::make_unique<Client>(server_->port());
    EXPECT_EQ(c->login(user, user + "-pw").status, 200);
    return c;
  }
  json create(Client& c, const std::string& path, json e, httplib::Headers h = {}) {
    const auto r = c.post(path, e, std::move(h));
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }
  json match(Client& c, const std::string& path, const json& filter, httplib::Headers h = {}) {
    const auto r = c.post(path + "/match", filter, std::move(h));
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }
  // A HealthElement of alice's for patient secret key `sfk`, opened at `date` (none when < 0).
  json he(const std::string& id, const std::string& sfk, long long date, const std::vector<std::string>& also = {}) {
    json e = owned(id, "hcp-alice", also);
    e["secretForeignKeys"] = {sfk};
    if (date >= 0) e["openingDate"] = date;
    return create(*alice_, kHe, e);
  }

  std::filesystem::path dir_, seed_;
  std::string db_;
  std::unique_ptr<DevServer> server_;
  std::unique_ptr<Client> alice_;
};

TEST_F(DevServerMatchTest, ByPatientFindsSortsByOpeningDateAndHonoursTheRange) {
  he("he-c", "sfk-A", 30);
  he("he-a", "sfk-A", 10);
  he("he-b", "sfk-A", 20);
  he("he-none", "sfk-A", -1);
  he("he-other", "sfk-B", 15);
  EXPECT_EQ(match(*alice_, kHe, by_patient("hcp-alice", {"sfk-A"})), ids_of({"he-none", "he-a", "he-b", "he-c"}));
  json f = by_patient("hcp-alice", {"sfk-A", "sfk-B"});
  f["descending"] = true;
  EXPECT_EQ(match(*alice_, kHe, f), ids_of({"he-c", "he-b", "he-other", "he-a", "he-none"}));
  f["startDate"] = 15;
  f["endDate"] = 20;
  EXPECT_EQ(match(*alice_, kHe, f), ids_of({"he-b", "he-other"})) << "a range drops entities without the date";
  EXPECT_EQ(match(*alice_, kHe, by_patient("hcp-alice", {"sfk-unknown"})), json::array());
  // The data owner defaults to the caller.
  json implicit = by_patient("hcp-alice", {"sfk-B"});
  implicit.erase("healthcarePartyId");
  EXPECT_EQ(match(*alice_, kHe, implicit), ids_of({"he-other"}));
}

TEST_F(DevServerMatchTest, OnlyWhatIsDelegatedToTheNamedDataOwnerIsFound) {
  he("he-mine", "sfk-A", 1);
  he("he-shared", "sfk-A", 2, {"hcp-bob"});
  auto bob = as("bob");
  EXPECT_EQ(match(*bob, kHe, by_patient("hcp-bob", {"sfk-A"})), ids_of({"he-shared"}));
  const auto foreign = bob->post(std::string(kHe) + "/match", by_patient("hcp-alice", {"sfk-A"}));
  EXPECT_EQ(foreign.status, 403) << "bob may not list what is shared with alice";
  EXPECT_NE(foreign.body["message"].get<std::string>().find("hcp-alice"), std::string::npos);
  // A deleted entity is no longer found; undeleted, it is again.
  const json mine = alice_->get(std::string(kHe) + "/he-mine").body;
  const auto deleted = alice_->del(std::string(kHe) + "/he-mine?rev=" + mine["rev"].get<std::string>());
  ASSERT_EQ(deleted.status, 200);
  EXPECT_EQ(match(*alice_, kHe, by_patient("hcp-alice", {"sfk-A"})), ids_of({"he-shared"}));
  const auto undeleted = alice_->post(std::string(kHe) + "/undelete/batch",
                                      json{{"ids", {{{"id", "he-mine"}, {"rev", deleted.body["rev"]}}}}});
  ASSERT_EQ(undeleted.status, 200);
  EXPECT_EQ(match(*alice_, kHe, by_patient("hcp-alice", {"sfk-A"})), ids_of({"he-mine", "he-shared"}));
}

TEST_F(DevServerMatchTest, AChildFindsWhatIsSharedWithItsParentByNamingTheParent) {
  he("he-org", "sfk-A", 1, {"hcp-org"});
  auto child = as("child");
  EXPECT_EQ(match(*child, kHe, by_patient("hcp-org", {"sfk-A"})), ids_of({"he-org"}));
  EXPECT_EQ(match(*child, kHe, by_patient("hcp-child", {"sfk-A"})), json::array()) << "hierarchies are not expanded";
  auto org = as("org");
  EXPECT_EQ(org->post(std::string(kHe) + "/match", by_patient("hcp-child", {"sfk-A"})).status, 403) << "a parent is not its child";
}

TEST_F(DevServerMatchTest, AnonymousDelegationsAreFoundThroughAccessControlKeys) {
  auto pat = as("pat");
  json e = anonymous_root("he-anon", "pat-key");
  e["secretForeignKeys"] = {"sfk-P"};
  create(*pat, kHe, e, ack_header("pat-key"));
  EXPECT_EQ(match(*pat, kHe, by_patient("pat-1", {"sfk-P"}), ack_header("pat-key")), ids_of({"he-anon"}));
  EXPECT_EQ(match(*pat, kHe, by_patient("pat-1", {"sfk-P"})), json::array()) << "without the key header";
  EXPECT_EQ(match(*pat, kHe, by_patient("pat-1", {"sfk-P"}), ack_header("other")), json::array());
  // Keys count only for the caller's own id (the backend's search keys).
  auto bob = as("bob");
  EXPECT_EQ(match(*bob, kHe, by_patient("hcp-bob", {"sfk-P"}), ack_header("pat-key")), ids_of({"he-anon"}));
}

TEST_F(DevServerMatchTest, TagAndCodeFiltersIntersectAndATypeAloneMatchesAnyCode) {
  json a = owned("he-1", "hcp-alice");
  a["tags"] = {{{"type", "CARE"}, {"code", "acute"}}};
  a["codes"] = {{{"type", "ICPC"}, {"code", "K86"}}};
  create(*alice_, kHe, a);
  json b = owned("he-2", "hcp-alice");
  b["tags"] = {{{"type", "CARE"}, {"code", "chronic"}}};
  create(*alice_, kHe, b);
  json f = tag_code("hcp-alice");
  f["tagType"] = "CARE";
  EXPECT_EQ(match(*alice_, kHe, f), ids_of({"he-1", "he-2"}));
  f["tagCode"] = "chronic";
  EXPECT_EQ(match(*alice_, kHe, f), ids_of({"he-2"}));
  f["tagCode"] = "acute";
  f["codeType"] = "ICPC";
  f["codeCode"] = "K86";
  EXPECT_EQ(match(*alice_, kHe, f), ids_of({"he-1"}));
  f["codeCode"] = "T90";
  EXPECT_EQ(match(*alice_, kHe, f), json::array());
  EXPECT_EQ(match(*alice_, kHe, tag_code("hcp-alice")), json::array()) << "no criterion, nothing (as the backend)";
  // A modification re-indexes the entity.
  json changed = alice_->get(std::string(kHe) + "/he-2").body;
  changed["tags"] = {{{"type", "CARE"}, {"code", "acute"}}};
  ASSERT_EQ(alice_->put(kHe, changed).status, 200);
  json acute = tag_code("hcp-alice");
  acute["tagType"] = "CARE";
  acute["tagCode"] = "acute";
  EXPECT_EQ(match(*alice_, kHe, acute), ids_of({"he-1", "he-2"}));
}

TEST_F(DevServerMatchTest, UnionIntersectionAndComplementDeduplicate) {
  he("he-1", "sfk-A", 1);
  he("he-2", "sfk-B", 2);
  he("he-3", "sfk-A", 3);
  const json a = by_patient("hcp-alice", {"sfk-A"});
  const json ab = by_patient("hcp-alice", {"sfk-A", "sfk-B"});
  EXPECT_EQ(match(*alice_, kHe, json{{"$type", "UnionFilter"}, {"filters", {a, ab}}}), ids_of({"he-1", "he-3", "he-2"}));
  EXPECT_EQ(match(*alice_, kHe, json{{"$type", "IntersectionFilter"}, {"filters", {ab, a}}}), ids_of({"he-1", "he-3"}));
  EXPECT_EQ(match(*alice_, kHe, json{{"$type", "ComplementFilter"}, {"superSet", ab}, {"subSet", a}}), ids_of({"he-2"}));
  const json ids = {{"$type", "HealthElementByIdsFilter"}, {"ids", {"he-2", "he-2", "he-1"}}};
  EXPECT_EQ(match(*alice_, kHe, ids), ids_of({"he-2", "he-1"}));
}

TEST_F(DevServerMatchTest, ByIdsSkipsWhatTheCallerCannotRead) {
  he("he-mine", "sfk-A", 1);
  auto bob = as("bob");
  create(*bob, kHe, owned("he-bobs", "hcp-bob"));
  const json ids = {{"ids", {"he-bobs", "missing", "he-mine"}}};
  const auto r = alice_->post(std::string(kHe) + "/byIds", ids);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body.size(), 1u);
  EXPECT_EQ(r.body[0]["id"], "he-mine");
  const json filter = {{"$type", "HealthElementByIdsFilter"}, {"ids", {"he-bobs", "missing", "he-mine"}}};
  EXPECT_EQ(match(*alice_, kHe, filter), ids_of({"he-mine"}));
}

TEST_F(DevServerMatchTest, UnknownTypesAndMalformedFiltersAre400) {
  const std::string path = std::string(kHe) + "/match";
  const auto unknown = alice_->post(path, json{{"$type", "HealthElementByMoonPhaseFilter"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body["message"].get<std::string>().find("HealthElementByMoonPhaseFilter"), std::string::npos);
  EXPECT_NE(unknown.body["message"].get<std::string>().find("HealthElementByHcPartyTagCodeFilter"), std::string::npos);
  EXPECT_EQ(alice_->post("/rest/v2/patient/match", by_patient("hcp-alice", {"x"})).status, 400) << "a HealthElement filter";
  EXPECT_EQ(alice_->post(path, json{{"healthcarePartyId", "hcp-alice"}}).status, 400) << "no $type";
  EXPECT_EQ(alice_->post(path, json::array()).status, 400);
  EXPECT_EQ(alice_->request("POST", path, std::string("{\"$type\":")).status, 400);
  json wrong = by_patient("hcp-alice", {"x"});
  wrong["patientSecretForeignKeys"] = "sfk-A";
  EXPECT_EQ(alice_->post(path, wrong).status, 400);
  wrong = by_patient("hcp-alice", {"x"});
  wrong["startDate"] = "yesterday";
  EXPECT_EQ(alice_->post(path, wrong).status, 400);
  EXPECT_EQ(alice_->post(path, json{{"$type", "UnionFilter"}, {"filters", {1, 2}}}).status, 400);
  EXPECT_EQ(alice_->post(path, json{{"$type", "ComplementFilter"}}).status, 400);
  json nested = by_patient("hcp-alice", {"x"});
  for (int i = 0; i < 30; ++i) nested = json{{"$type", "UnionFilter"}, {"filters", {nested}}};
  EXPECT_EQ(alice_->post(path, nested).status, 400) << "nesting is bounded";
}

TEST_F(DevServerMatchTest, PatientFiltersByNameSsinBirthDateAndTag) {
  auto pat = [&](const std::string& id, const std::string& last, const std::string& first, const std::string& ssin, int dob) {
    json p = owned(id, "hcp-alice");
    p["lastName"] = last;
    p["firstName"] = first;
    p["ssin"] = ssin;
    p["dateOfBirth"] = dob;
    p["tags"] = {{{"type", "GROUP"}, {"code", id == "p-1" ? "a" : "b"}}};
    create(*alice_, "/rest/v2/patient", p);
  };
  pat("p-1", "Müller", "Jürgen", "85.07.30-033.61", 19850730);
  pat("p-2", "Dupont", "Élise", "90 01 01 123 45", 19900101);
  pat("p-3", "Mullins", "Ann", "70010100112", 19700101);
  const std::string path = "/rest/v2/patient";
  auto name = [](const char* n) { return json{{"$type", "PatientByHcPartyNameFilter"}, {"healthcarePartyId", "hcp-alice"}, {"name", n}}; };
  EXPECT_EQ(match(*alice_, path, name("muller")), ids_of({"p-1"}));
  EXPECT_EQ(match(*alice_, path, name("MUL")), ids_of({"p-1", "p-3"}));
  EXPECT_EQ(match(*alice_, path, name("elise")), ids_of({"p-2"})) << "last + first name, accents folded";
  EXPECT_EQ(match(*alice_, path, name("zzz")), json::array());
  const json ssin = {{"$type", "PatientByHcPartyAndSsinFilter"}, {"healthcarePartyId", "hcp-alice"}, {"ssin", "85073003361"}};
  EXPECT_EQ(match(*alice_, path, ssin), ids_of({"p-1"}));
  const json ssins = {{"$type", "PatientByHcPartyAndSsinsFilter"}, {"healthcarePartyId", "hcp-alice"},
                      {"ssins", {"9001011 2345", "70010100112"}}};
  EXPECT_EQ(match(*alice_, path, ssins), ids_of({"p-2", "p-3"}));
  const json dob = {{"$type", "PatientByHcPartyDateOfBirthBetweenFilter"}, {"healthcarePartyId", "hcp-alice"},
                    {"minDateOfBirth", 19700101}, {"maxDateOfBirth", 19891231}};
  EXPECT_EQ(match(*alice_, path, dob), ids_of({"p-3", "p-1"})) << "sorted by date of birth";
  const json exact = {{"$type", "PatientByHcPartyDateOfBirthFilter"}, {"healthcarePartyId", "hcp-alice"}, {"dateOfBirth", 19900101}};
  EXPECT_EQ(match(*alice_, path, exact), ids_of({"p-2"}));
  const json tag = {{"$type", "PatientByDataOwnerTagFilter"}, {"dataOwnerId", "hcp-alice"}, {"tagType", "GROUP"}, {"tagCode", "b"}};
  EXPECT_EQ(match(*alice_, path, tag), ids_of({"p-2", "p-3"}));
  auto bob = as("bob");
  EXPECT_EQ(match(*bob, path, json{{"$type", "PatientByHcPartyFilter"}, {"healthcarePartyId", "hcp-bob"}}), json::array());
}

TEST_F(DevServerMatchTest, ContactAndDocumentFilters) {
  for (int i = 1; i <= 2; ++i) {
    json c = owned("c-" + std::to_string(i), "hcp-alice");
    c["secretForeignKeys"] = {"sfk-A"};
    c["openingDate"] = 20240100 + i;
    c["services"] = {{{"id", "svc-" + std::to_string(i)}, {"tags", {{{"type", "KIND"}, {"code", i == 1 ? "lab" : "note"}}}}}};
    create(*alice_, "/rest/v2/contact", c);
  }
  const json by_patient_date = {{"$type", "ContactByDataOwnerPatientOpeningDateFilter"}, {"dataOwnerId", "hcp-alice"},
                                {"secretForeignKeys", {"sfk-A"}}, {"descending", true}};
  EXPECT_EQ(match(*alice_, "/rest/v2/contact", by_patient_date), ids_of({"c-2", "c-1"}));
  const json service_tag = {{"$type", "ContactByDataOwnerServiceTagFilter"}, {"dataOwnerId", "hcp-alice"}, {"tagType", "KIND"},
                            {"tagCode", "lab"}};
  EXPECT_EQ(match(*alice_, "/rest/v2/contact", service_tag), ids_of({"c-1"}));
  const json service_ids = {{"$type", "ContactByServiceIdsFilter"}, {"ids", {"svc-2"}}};
  EXPECT_EQ(match(*alice_, "/rest/v2/contact", service_ids), ids_of({"c-2"}));
  auto bob = as("bob");
  EXPECT_EQ(match(*bob, "/rest/v2/contact", service_ids), json::array()) << "not readable by bob";

  json d1 = owned("d-1", "hcp-alice");
  d1["secretForeignKeys"] = {"sfk-A"};
  d1["created"] = 1714557600000;  // 2024-05-01T10:00:00Z
  d1["documentType"] = "labresult";
  create(*alice_, "/rest/v2/document", d1);
  json d2 = owned("d-2", "hcp-alice");
  d2["secretForeignKeys"] = {"sfk-A"};
  d2["created"] = 1714644000000;  // 2024-05-02T10:00:00Z
  d2["documentType"] = "report";
  create(*alice_, "/rest/v2/document", d2);
  const json by_date = {{"$type", "DocumentByDataOwnerPatientDateFilter"}, {"dataOwnerId", "hcp-alice"},
                        {"secretPatientKeys", {"sfk-A"}}, {"startDate", "2024-05-02T00:00:00Z"}};
  EXPECT_EQ(match(*alice_, "/rest/v2/document", by_date), ids_of({"d-2"}));
  const json by_type = {{"$type", "DocumentByTypeDataOwnerPatientFilter"}, {"dataOwnerId", "hcp-alice"},
                        {"documentType", "labresult"}, {"secretPatientKeys", {"sfk-A"}}};
  EXPECT_EQ(match(*alice_, "/rest/v2/document", by_type), ids_of({"d-1"}));
}

TEST_F(DevServerMatchTest, BulkCallsReportOnlyWhatTheyDid) {
  he("he-1", "sfk-A", 1);
  he("he-2", "sfk-A", 2);
  he("he-3", "sfk-A", 3);
  auto bob = as("bob");
  create(*bob, kHe, owned("he-bob", "hcp-bob"));
  // Create many: the duplicate is left out, the others are created.
  const auto created = alice_->post(std::string(kHe) + "/batch", json::array({owned("he-1", "hcp-alice"), owned("he-4", "hcp-alice")}));
  ASSERT_EQ(created.status, 200);
  ASSERT_EQ(created.body.size(), 1u);
  EXPECT_EQ(created.body[0]["id"], "he-4");
  // Modify many: the stale one is left out and unchanged.
  json m1 = alice_->get(std::string(kHe) + "/he-1").body;
  json m2 = alice_->get(std::string(kHe) + "/he-2").body;
  m1["note"] = "x";
  m2["note"] = "y";
  m2["rev"] = "1-00000000000000000000000000000000";
  const auto modified = alice_->put(std::string(kHe) + "/batch", json::array({m1, m2}));
  ASSERT_EQ(modified.status, 200);
  ASSERT_EQ(modified.body.size(), 1u);
  EXPECT_EQ(modified.body[0]["id"], "he-1");
  EXPECT_FALSE(alice_->get(std::string(kHe) + "/he-2").body.contains("note"));
  // Delete many with revs: stale, foreign and missing are skipped.
  const std::string rev1 = alice_->get(std::string(kHe) + "/he-1").body["rev"];
  const std::string rev3 = alice_->get(std::string(kHe) + "/he-3").body["rev"];
  const json to_delete = {{"ids",
                           {{{"id", "he-1"}, {"rev", rev1}},
                            {{"id", "he-2"}, {"rev", "1-00000000000000000000000000000000"}},
                            {{"id", "he-bob"}, {"rev", "1-x"}},
                            {{"id", "missing"}},
                            {{"id", "he-3"}, {"rev", rev3}}}}};
  const auto deleted = alice_->post(std::string(kHe) + "/delete/batch/withrev", to_delete);
  ASSERT_EQ(deleted.status, 200);
  ASSERT_EQ(deleted.body.size(), 2u);
  EXPECT_EQ(deleted.body[0]["id"], "he-1");
  EXPECT_EQ(deleted.body[1]["id"], "he-3");
  // Undelete many: only he-1 with its current rev; he-3 without a rev is skipped.
  const json undelete = {{"ids", {{{"id", "he-1"}, {"rev", deleted.body[0]["rev"]}}, {{"id", "he-3"}}}}};
  const auto undeleted = alice_->post(std::string(kHe) + "/undelete/batch", undelete);
  ASSERT_EQ(undeleted.status, 200);
  ASSERT_EQ(undeleted.body.size(), 1u);
  EXPECT_EQ(undeleted.body[0]["id"], "he-1");
  EXPECT_FALSE(undeleted.body[0].contains("deletionDate"));
  // Purge many: he-3 (current rev) goes, the stale he-1 stays.
  const json purge = {{"ids", {{{"id", "he-3"}, {"rev", deleted.body[1]["rev"]}}, {{"id", "he-1"}, {"rev", rev1}}}}};
  const auto purged = alice_->post(std::string(kHe) + "/purge/batch", purge);
  ASSERT_EQ(purged.status, 200);
  ASSERT_EQ(purged.body.size(), 1u);
  EXPECT_EQ(purged.body[0]["id"], "he-3");
  EXPECT_EQ(alice_->get(std::string(kHe) + "/he-3").status, 404);
  EXPECT_EQ(alice_->get(std::string(kHe) + "/he-1").status, 200);
  // Malformed bodies reject the whole call.
  EXPECT_EQ(alice_->post(std::string(kHe) + "/purge/batch", json{{"ids", {"he-1"}}}).status, 400);
  EXPECT_EQ(alice_->post(std::string(kHe) + "/undelete/batch", json::array()).status, 400);
}

// Patient batches as kraken-common's PatientController: `/batch` (deprecated) and `/batch/minimal`
// answer IdWithRev items, `/batch/full` the entities; the other kinds have `/batch` only.
TEST_F(DevServerMatchTest, PatientBatchesAnswerMinimalOrFullAsThePlatform) {
  const std::string kPat = "/rest/v2/patient";
  const auto full = alice_->post(kPat + "/batch/full", json::array({owned("p-1", "hcp-alice"), owned("p-2", "hcp-alice")}));
  ASSERT_EQ(full.status, 200) << full.raw;
  ASSERT_EQ(full.body.size(), 2u);
  EXPECT_EQ(full.body[0]["id"], "p-1");
  EXPECT_TRUE(full.body[0].contains("securityMetadata")) << "the whole entity";
  const auto minimal = alice_->post(kPat + "/batch/minimal", json::array({owned("p-3", "hcp-alice")}));
  ASSERT_EQ(minimal.status, 200) << minimal.raw;
  ASSERT_EQ(minimal.body.size(), 1u);
  EXPECT_EQ(minimal.body[0].size(), 2u) << minimal.body[0].dump();
  EXPECT_EQ(minimal.body[0]["id"], "p-3");
  EXPECT_TRUE(minimal.body[0]["rev"].is_string());
  const auto legacy = alice_->post(kPat + "/batch", json::array({owned("p-4", "hcp-alice")}));
  ASSERT_EQ(legacy.status, 200);
  EXPECT_EQ(legacy.body[0].size(), 2u) << "the deprecated /batch is /batch/minimal";

  json p1 = full.body[0];
  p1["note"] = "changed";
  const auto modified = alice_->put(kPat + "/batch/full", json::array({p1}));
  ASSERT_EQ(modified.status, 200) << modified.raw;
  ASSERT_EQ(modified.body.size(), 1u);
  EXPECT_EQ(modified.body[0]["note"], "changed");
  json p2 = full.body[1];
  p2["note"] = "too";
  const auto modified_min = alice_->put(kPat + "/batch/minimal", json::array({p2}));
  ASSERT_EQ(modified_min.status, 200);
  EXPECT_EQ(modified_min.body[0].size(), 2u);
  EXPECT_EQ(modified_min.body[0]["rev"], alice_->get(kPat + "/p-2").body["rev"]);

  EXPECT_EQ(alice_->post(std::string(kHe) + "/batch/full", json::array({owned("he-9", "hcp-alice")})).status, 404)
      << "only Patient has /batch/full";

  // A patient that is not deleted can be purged (as in kraken-common), except one a user logs in as.
  const std::string rev1 = alice_->get(kPat + "/p-1").body["rev"];
  const auto purged = alice_->post(kPat + "/purge/batch", json{{"ids", {{{"id", "p-1"}, {"rev", rev1}}}}});
  ASSERT_EQ(purged.status, 200);
  ASSERT_EQ(purged.body.size(), 1u);
  EXPECT_EQ(alice_->get(kPat + "/p-1").status, 404);
  auto pat = as("pat");
  const auto self = pat->get(kPat + "/pat-1");
  ASSERT_EQ(self.status, 200) << self.raw;
  EXPECT_EQ(pat->del(kPat + "/purge/pat-1?rev=" + self.body["rev"].get<std::string>()).status, 400);
}

TEST_F(DevServerMatchTest, IndexesFollowRecordsTamperedThroughTheFileAndAreRebuiltOnStart) {
  he("he-1", "sfk-A", 1);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  auto exec = [&](const char* sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
  };
  sqlite3_busy_timeout(db, 5000);
  exec("UPDATE health_elements SET doc = json_set(doc, '$.secretForeignKeys', json_array('sfk-T')) WHERE id = 'he-1'");
  EXPECT_EQ(match(*alice_, kHe, by_patient("hcp-alice", {"sfk-T"})), ids_of({"he-1"}));
  EXPECT_EQ(match(*alice_, kHe, by_patient("hcp-alice", {"sfk-A"})), json::array());
  // A record that is not JSON any more is not indexed, and the write behind the server's back works.
  exec("UPDATE health_elements SET doc = 'not json' WHERE id = 'he-1'");
  EXPECT_EQ(match(*alice_, kHe, by_patient("hcp-alice", {"sfk-T"})), json::array());
  // An index lost (an older database) is rebuilt when the server starts.
  he("he-2", "sfk-B", 2);
  server_.reset();
  exec("DELETE FROM idx_key");
  exec("DELETE FROM meta WHERE key = 'index_version'");
  sqlite3_close(db);
  server_ = std::make_unique<DevServer>(db_, SeedFile{seed_});
  alice_ = as("alice");
  EXPECT_EQ(match(*alice_, kHe, by_patient("hcp-alice", {"sfk-B"})), ids_of({"he-2"}));
}

}  // namespace
}  // namespace devserver_test
