// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// How many requests an entity created with N delegates costs (issue 16: the delegations go into
// the entity's securityMetadata at creation instead of create + one share per delegate), counted
// through a counting ApiCall against a real devserver; and that the delegates read it.

#include "api/sdk_core.hpp"
#include "devserver_process.hpp"
#include "httplib_api_call.hpp"
#include "test_util.hpp"

#include <map>
#include <mutex>

namespace cardinal {
namespace {

// Counts requests by "METHOD path" (query dropped).
struct Counter {
  std::mutex mutex;
  std::map<std::string, int> by_route;
  int total() {
    std::lock_guard lock(mutex);
    int n = 0;
    for (const auto& [r, c] : by_route) n += c;
    return n;
  }
  int of(const std::string& route) {
    std::lock_guard lock(mutex);
    auto it = by_route.find(route);
    return it == by_route.end() ? 0 : it->second;
  }
  void reset() {
    std::lock_guard lock(mutex);
    by_route.clear();
  }
  std::string dump() {
    std::lock_guard lock(mutex);
    std::string out;
    for (const auto& [r, c] : by_route) out += "  " + std::to_string(c) + " × " + r + "\n";
    return out;
  }
};

// Trusts every delegate key except those of `refused`.
class RefusingStrategies : public BasicCryptoStrategies {
 public:
  explicit RefusingStrategies(std::string refused) : refused_(std::move(refused)) {}
  std::vector<std::string> verify_delegate_public_keys(const DataOwnerInfo& delegate,
                                                       const std::vector<std::string>& keys) override {
    return delegate.id == refused_ ? std::vector<std::string>{} : keys;
  }

 private:
  std::string refused_;
};

struct Client {
  std::shared_ptr<keys::KeyStore> keys = std::make_shared<keys::InMemoryKeyStore>();
  std::shared_ptr<Counter> counter = std::make_shared<Counter>();
  std::unique_ptr<api::SdkCore> core;

  Status start(const testing::DevServer& server, const std::string& login,
               std::shared_ptr<CryptoStrategies> strategies = std::make_shared<BasicCryptoStrategies>()) {
    api::CoreOptions o;
    auto inner = testing::httplib_api_call("127.0.0.1", server.port(), login, "pw");
    auto counter_ = counter;
    o.backend = std::make_shared<api::RestBackend>([inner, counter_](const transport::ApiRequest& r) {
      {
        std::lock_guard lock(counter_->mutex);
        ++counter_->by_route[r.method + " " + r.path.substr(0, r.path.find('?'))];
      }
      return inner(r);
    });
    o.keys = keys;
    o.strategies = std::move(strategies);
    auto c = api::SdkCore::start(std::move(o));
    if (!c.ok()) return c.error();
    core = std::move(c).value();
    return {};
  }
};

Json he(const std::string& descr) { return Json{{"descr", descr}, {"note", "private note"}}; }

TEST(CreateRequestCount, ThreeDelegatesInTwoRequestsOnceTheirExchangeDataExist) {
  testing::DevServer server;
  Client alice, bob, carol, pat;
  ASSERT_OK(alice.start(server, "alice"));
  ASSERT_OK(bob.start(server, "bob"));
  ASSERT_OK(carol.start(server, "carol"));
  ASSERT_OK(pat.start(server, "pat"));
  const CreateOptions three{{}, {}, {{"hcp-bob", AccessLevel::kRead}, {"hcp-carol", AccessLevel::kWrite},
                                     {"pat-1", AccessLevel::kRead}}};

  // Cold: exchange data to each delegate does not exist yet.
  alice.counter->reset();
  auto first = alice.core->create("HealthElement", he("first"), three);
  ASSERT_OK(first);
  const int cold = alice.counter->total();
  std::cout << "create with 3 new delegates: " << cold << " requests\n" << alice.counter->dump();
  EXPECT_EQ(alice.counter->of("POST /rest/v2/helement"), 1);
  EXPECT_EQ(alice.counter->of("POST /rest/v2/dataowner/stub/byIds"), 1) << "one request for every delegate's keys";
  EXPECT_EQ(alice.counter->of("PUT /rest/v2/helement/bulkSharedMetadataUpdate"), 0) << "no share after the create";
  EXPECT_EQ(alice.counter->of("POST /rest/v2/exchangedata"), 0) << "not one by one";
  EXPECT_EQ(alice.counter->of("POST /rest/v2/exchangedata/bulk"), 1) << "self→self and one to each delegate, together";
  // The stubs, one listing of alice's exchange data (byParticipant, instead of one lookup per
  // pair: 4), the bulk creation, the patient's map (written; not read back: alice made it) and
  // the entity: 5 (9 with a lookup per pair and the map read, 12 with creations one by one).
  EXPECT_EQ(cold, 5) << alice.counter->dump();
  EXPECT_EQ(alice.counter->of("GET /rest/v2/exchangedata/byParticipant/hcp-alice"), 1) << alice.counter->dump();
  for (const char* d : {"hcp-alice", "hcp-bob", "hcp-carol", "pat-1"}) {
    EXPECT_EQ(alice.counter->of(std::string("GET /rest/v2/exchangedata/byDelegatorDelegate/hcp-alice/") + d), 0);
  }
  EXPECT_EQ(alice.counter->of("PUT /rest/v2/exchangedatamap/batch"), 1) << "the patient's half-anonymous delegation";
  EXPECT_EQ(alice.counter->of("POST /rest/v2/exchangedatamap/batch"), 0) << "the map alice just wrote is not read";
  // 4 delegations: the root, and one under it for each delegate, at the level asked.
  auto delegations = model::secure_delegations_of(first->entity);
  ASSERT_OK(delegations);
  EXPECT_EQ(delegations->size(), 4u);
  int roots = 0, writes = 0;
  for (const auto& [k, d] : *delegations) {
    roots += d.parent_delegations.empty() ? 1 : 0;
    writes += d.permissions == AccessLevel::kWrite ? 1 : 0;
  }
  EXPECT_EQ(roots, 1);
  EXPECT_EQ(writes, 2) << "the root and carol's";

  // Warm: the same delegates again.
  alice.counter->reset();
  auto second = alice.core->create("HealthElement", he("second"), three);
  ASSERT_OK(second);
  std::cout << "create with 3 known delegates: " << alice.counter->total() << " requests\n" << alice.counter->dump();
  EXPECT_LE(alice.counter->total(), 2) << alice.counter->dump();
  EXPECT_EQ(alice.counter->of("POST /rest/v2/helement"), 1);

  // Every delegate reads both, at its level.
  ASSERT_OK(pat.core->exchange_data().load_all());  // exchange data created after the patient started
  for (const auto& e : {first, second}) {
    const std::string id = e->entity["id"];
    auto by_bob = bob.core->get("HealthElement", id);
    ASSERT_OK(by_bob);
    EXPECT_EQ(by_bob->entity["note"], "private note");
    EXPECT_FALSE(by_bob->can_write);
    auto by_carol = carol.core->get("HealthElement", id);
    ASSERT_OK(by_carol);
    EXPECT_TRUE(by_carol->can_write);
    auto by_pat = pat.core->get("HealthElement", id);
    ASSERT_OK(by_pat);
    EXPECT_EQ(by_pat->entity["descr"], e->entity["descr"]);
  }
  // Sharing afterwards finds the initial delegations: nothing to do.
  auto again = alice.core->share("HealthElement", first->entity["id"], "hcp-bob", AccessLevel::kRead);
  ASSERT_OK(again);
  EXPECT_EQ(again->share_outcome, ShareOutcome::kAlreadyShared);
}

// The listing is taken once per session: a later create to a delegate without exchange data yet
// looks nothing up (the listing said there was none), and a new session lists again and reuses
// what the first one created instead of creating more.
TEST(CreateRequestCount, TheListingIsTakenOncePerSessionAndReusedByANewOne) {
  testing::DevServer server;
  Client alice, bob, carol;
  ASSERT_OK(bob.start(server, "bob"));
  ASSERT_OK(carol.start(server, "carol"));
  ASSERT_OK(alice.start(server, "alice"));
  const CreateOptions to_bob{{}, {}, {{"hcp-bob", AccessLevel::kRead}}};
  const CreateOptions to_carol{{}, {}, {{"hcp-carol", AccessLevel::kRead}}};
  alice.counter->reset();
  ASSERT_OK(alice.core->create("HealthElement", he("to bob"), to_bob));
  EXPECT_EQ(alice.counter->of("GET /rest/v2/exchangedata/byParticipant/hcp-alice"), 1) << alice.counter->dump();
  alice.counter->reset();
  ASSERT_OK(alice.core->create("HealthElement", he("to carol"), to_carol));
  // The stub, the exchange data to carol (one record: one by one) and the entity.
  EXPECT_EQ(alice.counter->of("GET /rest/v2/exchangedata/byParticipant/hcp-alice"), 0) << alice.counter->dump();
  EXPECT_EQ(alice.counter->of("GET /rest/v2/exchangedata/byDelegatorDelegate/hcp-alice/hcp-carol"), 0);
  EXPECT_EQ(alice.counter->of("POST /rest/v2/exchangedata"), 1) << alice.counter->dump();
  EXPECT_EQ(alice.counter->total(), 3) << alice.counter->dump();

  // Another session of alice (same keys): one listing, then the records of the first are reused.
  Client again;
  again.keys = alice.keys;
  ASSERT_OK(again.start(server, "alice"));
  again.counter->reset();
  auto e = again.core->create("HealthElement", he("both"),
                              {{}, {}, {{"hcp-bob", AccessLevel::kRead}, {"hcp-carol", AccessLevel::kRead}}});
  ASSERT_OK(e);
  EXPECT_EQ(again.counter->of("GET /rest/v2/exchangedata/byParticipant/hcp-alice"), 1) << again.counter->dump();
  EXPECT_EQ(again.counter->of("POST /rest/v2/exchangedata"), 0) << again.counter->dump();
  EXPECT_EQ(again.counter->of("POST /rest/v2/exchangedata/bulk"), 0) << again.counter->dump();
  auto by_carol = carol.core->get("HealthElement", e->entity["id"]);
  ASSERT_OK(by_carol);
  EXPECT_EQ(by_carol->entity["note"], "private note");
}

TEST(CreateRequestCount, ADelegateWithoutVerifiedKeyCreatesNothing) {
  testing::DevServer server;
  Client alice, bob, carol;
  ASSERT_OK(bob.start(server, "bob"));  // every delegate publishes a key
  ASSERT_OK(carol.start(server, "carol"));
  ASSERT_OK(alice.start(server, "alice", std::make_shared<RefusingStrategies>("hcp-carol")));
  alice.counter->reset();
  auto e = alice.core->create("HealthElement", he("never stored"),
                              {{}, {}, {{"hcp-bob", AccessLevel::kRead}, {"hcp-carol", AccessLevel::kRead}}});
  EXPECT_ERROR_CODE(e, ErrorCode::kNoVerifiedKey);
  EXPECT_NE(e.error().message().find("hcp-carol"), std::string::npos) << e.error().message();
  EXPECT_EQ(alice.counter->of("POST /rest/v2/helement"), 0) << "no entity stored without its delegations";
  EXPECT_EQ(alice.counter->of("POST /rest/v2/exchangedata"), 0) << "checked before any exchange data is made";
}

TEST(CreateRequestCount, AnUnknownDelegateCreatesNothing) {
  testing::DevServer server;
  Client alice;
  ASSERT_OK(alice.start(server, "alice"));
  auto e = alice.core->create("HealthElement", he("never stored"), {{}, {}, {{"hcp-nobody", AccessLevel::kRead}}});
  EXPECT_ERROR_CODE(e, ErrorCode::kNotFound);
  EXPECT_EQ(alice.counter->of("POST /rest/v2/helement"), 0);
}


// Issue 12: bulk calls, one request each, one result per entity.
TEST(BulkRequests, CreateGetModifyRemoveManyOneRequestEachWithPerEntityResults) {
  testing::DevServer server;
  Client alice, bob;
  ASSERT_OK(bob.start(server, "bob"));
  ASSERT_OK(alice.start(server, "alice"));
  const CreateOptions to_bob{{}, {}, {{"hcp-bob", AccessLevel::kRead}}};
  ASSERT_OK(alice.core->create("HealthElement", he("warm-up"), to_bob));  // exchange data exist

  // create_many: the one that cannot be encrypted fails alone and is not sent.
  alice.counter->reset();
  std::vector<Json> batch = {he("a"), Json::array(), he("c")};
  auto created = alice.core->create_many("HealthElement", batch, to_bob);
  ASSERT_OK(created);
  ASSERT_EQ(created->size(), 3u);
  ASSERT_OK((*created)[0]);
  EXPECT_ERROR_CODE((*created)[1], ErrorCode::kInvalidArgument);
  ASSERT_OK((*created)[2]);
  EXPECT_EQ(alice.counter->of("POST /rest/v2/helement/batch"), 1) << alice.counter->dump();
  EXPECT_LE(alice.counter->total(), 2) << alice.counter->dump();  // + the delegate's stub
  const std::string a = (*created)[0]->entity["id"], c = (*created)[2]->entity["id"];

  // get_many: one request; an unknown id is an error for that id only; bob reads what was shared.
  bob.counter->reset();
  auto got = bob.core->get_many("HealthElement", {c, "he-unknown", a});
  ASSERT_OK(got);
  // One request for the entities (plus, once, the exchange data alice→bob that opens them).
  EXPECT_EQ(bob.counter->of("POST /rest/v2/helement/byIds"), 1);
  EXPECT_EQ(bob.counter->total() - bob.counter->of("POST /rest/v2/exchangedata/byIds"), 1) << bob.counter->dump();
  ASSERT_EQ(got->size(), 3u);
  ASSERT_OK((*got)[0]);
  EXPECT_EQ((*got)[0]->entity["descr"], "c");
  EXPECT_ERROR_CODE((*got)[1], ErrorCode::kNotFound);
  ASSERT_OK((*got)[2]);
  EXPECT_EQ((*got)[2]->entity["note"], "private note");

  // modify_many: a stale revision is dropped by the server: an error for that entity, the other saved.
  Json fresh_a = (*created)[0]->entity, stale_c = (*created)[2]->entity;
  Json newer_c = stale_c;
  newer_c["descr"] = "c changed elsewhere";
  ASSERT_OK(alice.core->modify("HealthElement", newer_c));
  fresh_a["descr"] = "a2";
  stale_c["descr"] = "c2";
  alice.counter->reset();
  auto modified = alice.core->modify_many("HealthElement", {fresh_a, stale_c});
  ASSERT_OK(modified);
  EXPECT_EQ(alice.counter->total(), 1) << alice.counter->dump();
  ASSERT_EQ(modified->size(), 2u);
  ASSERT_OK((*modified)[0]);
  EXPECT_EQ((*modified)[0]->entity["descr"], "a2");
  EXPECT_ERROR_CODE((*modified)[1], ErrorCode::kConflict);
  auto now_c = alice.core->get("HealthElement", c);
  ASSERT_OK(now_c);
  EXPECT_EQ(now_c->entity["descr"], "c changed elsewhere") << "the stale write was not applied";

  // remove_many, then undelete and purge with the revisions it returned.
  alice.counter->reset();
  auto removed = alice.core->remove_many("HealthElement", {a, "he-unknown", c});
  ASSERT_OK(removed);
  EXPECT_EQ(alice.counter->total(), 1) << alice.counter->dump();
  ASSERT_EQ(removed->size(), 3u);
  ASSERT_OK((*removed)[0]);
  EXPECT_ERROR_CODE((*removed)[1], ErrorCode::kNotFound);
  ASSERT_OK((*removed)[2]);
  auto back = alice.core->undelete("HealthElement", *(*removed)[0]);
  ASSERT_OK(back);
  EXPECT_EQ(back->entity["descr"], "a2");
  EXPECT_FALSE(back->entity.contains("deletionDate"));
  auto deleted_c = alice.core->get("HealthElement", c);
  ASSERT_OK(deleted_c);
  EXPECT_TRUE(deleted_c->entity.contains("deletionDate"));
  EXPECT_ERROR_CODE(alice.core->purge("HealthElement", {c, "1-stale"}), ErrorCode::kConflict);
  ASSERT_OK(alice.core->purge("HealthElement", {c, deleted_c->entity["rev"]}));
  EXPECT_ERROR_CODE(alice.core->get("HealthElement", c), ErrorCode::kNotFound);
}

// Patient batches go through /patient/batch/full (the platform's /batch answers only ids and revs
// for patients), and undelete / purge of many are one request each (…/undelete/batch,
// …/purge/batch), with one result per entity: all against the devserver.
TEST(BulkRequests, PatientBatchesAndUndeletePurgeOfManyAgainstTheDevserver) {
  testing::DevServer server;
  Client alice;
  ASSERT_OK(alice.start(server, "alice"));
  ASSERT_OK(alice.core->create("Patient", Json{{"firstName", "Warm"}, {"lastName", "Up"}}, {}));

  alice.counter->reset();
  std::vector<Json> patients;
  for (const char* name : {"Ann", "Ben", "Cy"}) patients.push_back(Json{{"firstName", name}, {"lastName", "Bulk"}});
  auto created = alice.core->create_many("Patient", patients, {});
  ASSERT_OK(created);
  EXPECT_EQ(alice.counter->of("POST /rest/v2/patient/batch/full"), 1) << alice.counter->dump();
  EXPECT_EQ(alice.counter->total(), 1) << alice.counter->dump();
  ASSERT_EQ(created->size(), 3u);
  std::vector<Json> stored;
  for (const auto& r : *created) {
    ASSERT_OK(r);
    stored.push_back(r->entity);
  }
  EXPECT_EQ(stored[1]["firstName"], "Ben");

  // Modify many: one stale (changed elsewhere first), two saved; one request.
  Json elsewhere = stored[2];
  elsewhere["note"] = "changed elsewhere";
  ASSERT_OK(alice.core->modify("Patient", elsewhere));
  for (auto& p : stored) p["note"] = "bulk note";
  alice.counter->reset();
  auto modified = alice.core->modify_many("Patient", stored);
  ASSERT_OK(modified);
  EXPECT_EQ(alice.counter->of("PUT /rest/v2/patient/batch/full"), 1) << alice.counter->dump();
  EXPECT_EQ(alice.counter->total(), 1) << alice.counter->dump();
  ASSERT_EQ(modified->size(), 3u);
  ASSERT_OK((*modified)[0]);
  EXPECT_EQ((*modified)[0]->entity["note"], "bulk note");
  ASSERT_OK((*modified)[1]);
  EXPECT_ERROR_CODE((*modified)[2], ErrorCode::kConflict);
  auto read = alice.core->get("Patient", stored[0]["id"]);
  ASSERT_OK(read);
  EXPECT_EQ(read->entity["note"], "bulk note") << "stored, not only answered";

  // Undelete many: one request; a stale rev, a missing rev and a repeated id fail alone.
  std::vector<std::string> ids;
  for (const auto& p : stored) ids.push_back(p["id"]);
  auto removed = alice.core->remove_many("Patient", ids);
  ASSERT_OK(removed);
  ASSERT_EQ(removed->size(), 3u);
  for (const auto& r : *removed) ASSERT_OK(r);
  alice.counter->reset();
  auto undeleted = alice.core->undelete_many(
      "Patient", {*(*removed)[0], *(*removed)[1], {ids[2], "1-stale"}, {ids[0], ""}, *(*removed)[0]});
  ASSERT_OK(undeleted);
  EXPECT_EQ(alice.counter->of("POST /rest/v2/patient/undelete/batch"), 1) << alice.counter->dump();
  EXPECT_EQ(alice.counter->total(), 1) << alice.counter->dump();
  ASSERT_EQ(undeleted->size(), 5u);
  ASSERT_OK((*undeleted)[0]);
  EXPECT_EQ((*undeleted)[0]->entity["firstName"], "Ann");
  EXPECT_FALSE((*undeleted)[0]->entity.contains("deletionDate"));
  ASSERT_OK((*undeleted)[1]);
  EXPECT_ERROR_CODE((*undeleted)[2], ErrorCode::kConflict);
  EXPECT_ERROR_CODE((*undeleted)[3], ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE((*undeleted)[4], ErrorCode::kInvalidArgument);
  auto still_deleted = alice.core->get("Patient", ids[2]);
  ASSERT_OK(still_deleted);
  EXPECT_TRUE(still_deleted->entity.contains("deletionDate"));

  // Purge many: one request; the stale one stays.
  std::vector<EntityRevision> to_purge = {{ids[0], (*undeleted)[0]->entity["rev"]},
                                          {ids[1], "9-stale"},
                                          {ids[2], still_deleted->entity["rev"]}};
  alice.counter->reset();
  auto purged = alice.core->purge_many("Patient", to_purge);
  ASSERT_OK(purged);
  EXPECT_EQ(alice.counter->of("POST /rest/v2/patient/purge/batch"), 1) << alice.counter->dump();
  EXPECT_EQ(alice.counter->total(), 1) << alice.counter->dump();
  ASSERT_EQ(purged->size(), 3u);
  ASSERT_OK((*purged)[0]);
  EXPECT_EQ((*purged)[0]->id, ids[0]);
  EXPECT_ERROR_CODE((*purged)[1], ErrorCode::kConflict);
  ASSERT_OK((*purged)[2]);
  EXPECT_ERROR_CODE(alice.core->get("Patient", ids[0]), ErrorCode::kNotFound);
  ASSERT_OK(alice.core->get("Patient", ids[1]));
  EXPECT_ERROR_CODE(alice.core->get("Patient", ids[2]), ErrorCode::kNotFound);
}

// Many HealthElements: remove, undelete and purge 20 in one request each.
TEST(BulkRequests, TwentyEntitiesAreUndeletedAndPurgedInOneRequestEach) {
  testing::DevServer server;
  Client alice;
  ASSERT_OK(alice.start(server, "alice"));
  std::vector<Json> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(he("he " + std::to_string(i)));
  auto created = alice.core->create_many("HealthElement", batch, {});
  ASSERT_OK(created);
  std::vector<std::string> ids;
  for (const auto& r : *created) {
    ASSERT_OK(r);
    ids.push_back(r->entity["id"]);
  }
  auto removed = alice.core->remove_many("HealthElement", ids);
  ASSERT_OK(removed);
  std::vector<EntityRevision> revisions;
  for (const auto& r : *removed) {
    ASSERT_OK(r);
    revisions.push_back(*r);
  }
  alice.counter->reset();
  auto undeleted = alice.core->undelete_many("HealthElement", revisions);
  ASSERT_OK(undeleted);
  EXPECT_EQ(alice.counter->total(), 1) << alice.counter->dump();
  std::vector<EntityRevision> current;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_OK((*undeleted)[i]);
    EXPECT_EQ((*undeleted)[i]->entity["descr"], "he " + std::to_string(i));
    current.push_back({ids[i], (*undeleted)[i]->entity["rev"]});
  }
  alice.counter->reset();
  auto purged = alice.core->purge_many("HealthElement", current);
  ASSERT_OK(purged);
  EXPECT_EQ(alice.counter->of("POST /rest/v2/helement/purge/batch"), 1) << alice.counter->dump();
  EXPECT_EQ(alice.counter->total(), 1) << alice.counter->dump();
  for (const auto& r : *purged) ASSERT_OK(r);
  auto gone = alice.core->get_many("HealthElement", ids);
  ASSERT_OK(gone);
  for (const auto& r : *gone) EXPECT_ERROR_CODE(r, ErrorCode::kNotFound);
}

// The same entity twice in one batch: the second is refused before anything is sent (the server
// would answer it once, and the decrypted answer must not be handed out twice from one copy);
// an id asked twice in get_many gets the same result twice.
TEST(BulkRequests, AnEntityGivenTwiceInABatchIsRefusedAndAnIdAskedTwiceIsAnsweredTwice) {
  testing::DevServer server;
  Client alice;
  ASSERT_OK(alice.start(server, "alice"));
  Json one = he("once");
  one["id"] = "he-given-twice";
  auto created = alice.core->create_many("HealthElement", {one, one}, {});
  ASSERT_OK(created);
  ASSERT_EQ(created->size(), 2u);
  ASSERT_OK((*created)[0]);
  EXPECT_ERROR_CODE((*created)[1], ErrorCode::kInvalidArgument);

  auto got = alice.core->get_many("HealthElement", {"he-given-twice", "he-given-twice"});
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), 2u);
  ASSERT_OK((*got)[0]);
  ASSERT_OK((*got)[1]);
  EXPECT_EQ((*got)[0]->entity["descr"], "once");
  EXPECT_EQ((*got)[1]->entity["descr"], "once");

  Json edited = (*got)[0]->entity;
  edited["descr"] = "edited";
  alice.counter->reset();
  auto modified = alice.core->modify_many("HealthElement", {edited, edited});
  ASSERT_OK(modified);
  ASSERT_EQ(modified->size(), 2u);
  ASSERT_OK((*modified)[0]);
  EXPECT_EQ((*modified)[0]->entity["descr"], "edited");
  EXPECT_ERROR_CODE((*modified)[1], ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cardinal
