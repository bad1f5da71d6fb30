// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Issue 14 §1 and §3 through the public API against a real devserver: two signed-in sessions
// editing one entity in every interleaving lose nothing without being told (optimistic
// concurrency, opt-in three-way merge), and a share says what it changed (READ → WRITE upgrades,
// nothing sent when nothing changes).

#include <cardinal/http/curl_transport.hpp>
#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <mutex>

namespace cardinal {
namespace {

/// Counts the requests that reach the network (to prove a share sent nothing).
class CountingTransport : public HttpTransport {
 public:
  explicit CountingTransport(std::shared_ptr<HttpTransport> inner) : inner_(std::move(inner)) {}
  Result<HttpResponse> send(const HttpRequest& request, const CancellationToken& cancel) override {
    // Writes: every PUT and DELETE, and POSTs that create (reads by ids and logins aside).
    const bool read_by_post = request.url.find("byIds") != std::string::npos ||
                              request.url.find("/exchangedatamap/batch") != std::string::npos ||
                              request.url.find("/auth/") != std::string::npos;
    if (request.method == "PUT" || request.method == "DELETE" || (request.method == "POST" && !read_by_post)) {
      std::lock_guard lock(mutex_);
      writes.push_back(request.method + " " + request.url);
    }
    return inner_->send(request, cancel);
  }
  std::size_t write_count() {
    std::lock_guard lock(mutex_);
    return writes.size();
  }
  std::vector<std::string> writes;

 private:
  std::mutex mutex_;
  std::shared_ptr<HttpTransport> inner_;
};

struct Session {
  std::unique_ptr<CardinalSdk> sdk;
  std::shared_ptr<CountingTransport> transport;
  EntityApi& he() { return sdk->health_elements(); }
};

Session sign_in(const testing::DevServer& server, const std::string& login,
                std::shared_ptr<keys::KeyStore> store = nullptr) {
  SdkOptions o;
  o.base_url = server.base_url();
  o.username = login;
  o.password = SecretBytes::from_string("pw");
  o.key_store = store ? std::move(store) : std::make_shared<keys::InMemoryKeyStore>();
  o.strategies = std::make_shared<BasicCryptoStrategies>();
  auto transport = std::make_shared<CountingTransport>(CurlTransport::create().value());
  o.transport = transport;
  auto sdk = CardinalSdk::initialize(std::move(o));
  EXPECT_TRUE(sdk.ok()) << sdk.error().to_string();
  return Session{sdk.ok() ? std::move(sdk).value() : nullptr, transport};
}

// Alice creates a health element that bob may write.
std::string shared_entity(Session& alice) {
  CreateOptions o;
  o.share_with = {{"hcp-bob", AccessLevel::kWrite}};
  auto he = alice.he().create(Json{{"descr", "Asthma"}, {"note", "salbutamol"}, {"tags", Json::array()}}, o);
  EXPECT_TRUE(he.ok()) << he.error().to_string();
  return he.ok() ? he->entity["id"].get<std::string>() : "";
}

struct Fixture {
  testing::DevServer server;
  std::shared_ptr<keys::KeyStore> alice_store = std::make_shared<keys::InMemoryKeyStore>();
  Session alice = sign_in(server, "alice", alice_store);
  std::shared_ptr<keys::KeyStore> bob_store = std::make_shared<keys::InMemoryKeyStore>();
  Session bob = sign_in(server, "bob", bob_store);
};

TEST(ConcurrentEdits, EveryInterleavingOfTwoSessionsLosesNothingSilently) {
  Fixture f;
  ASSERT_TRUE(f.alice.sdk && f.bob.sdk);
  // Each session reads then writes its own field; the four steps in every order that keeps each
  // session's read before its write.
  const std::vector<std::string> orders = {"aAbB", "abAB", "abBA", "baAB", "baBA", "bBaA"};
  for (const auto& order : orders) {
    SCOPED_TRACE(order);
    const std::string id = shared_entity(f.alice);
    // bob writes under the key alice shared: the app accepts it once (issue 13 §1).
    ASSERT_OK(f.bob.he().accept_shared_key(id));
    ASSERT_FALSE(id.empty());
    std::map<char, Json> read;
    std::map<char, bool> saved;
    int writes_done = 0;
    for (char step : order) {
      Session& s = (step == 'a' || step == 'A') ? f.alice : f.bob;
      if (step == 'a' || step == 'b') {
        auto r = s.he().get(id);
        ASSERT_OK(r);
        read[step] = r->entity;
        continue;
      }
      const char who = static_cast<char>(step - 'A' + 'a');
      Json change = read[who];
      change[who == 'a' ? "note" : "descr"] = std::string("changed by ") + who;
      ModifyConflict conflict;
      ModifyOptions options;
      options.conflict = &conflict;
      auto r = s.he().modify(change, options);
      // The write is refused exactly when the other session wrote after this one read.
      const bool other_wrote_since_read = writes_done > 0 && order.find(who) < order.find(step == 'A' ? 'B' : 'A');
      if (other_wrote_since_read) {
        EXPECT_ERROR_CODE(r, ErrorCode::kConflict);
        // Told, with the current server version, decrypted.
        auto now = f.alice.he().get(id);
        ASSERT_OK(now);
        EXPECT_EQ(conflict.current.entity["rev"], now->entity["rev"]);
        EXPECT_EQ(conflict.current.entity[who == 'a' ? "descr" : "note"], std::string("changed by ") + (who == 'a' ? 'b' : 'a'));
        saved[who] = false;
      } else {
        ASSERT_OK(r);
        saved[who] = true;
      }
      ++writes_done;
    }
    // The server has every write that reported success and none that failed.
    auto final_state = f.bob.he().get(id);
    ASSERT_OK(final_state);
    EXPECT_EQ(final_state->entity["note"], saved['a'] ? "changed by a" : "salbutamol");
    EXPECT_EQ(final_state->entity["descr"], saved['b'] ? "changed by b" : "Asthma");
    EXPECT_TRUE(saved['a'] || saved['b']);
  }
}

TEST(ConcurrentEdits, StaleWriteFailsByDefaultAndTheCallerCanReapplyOnTheCurrentVersion) {
  Fixture f;
  const std::string id = shared_entity(f.alice);
  // bob writes under the key alice shared: the app accepts it once (issue 13 §1).
  ASSERT_OK(f.bob.he().accept_shared_key(id));
  auto a = f.alice.he().get(id);
  auto b = f.bob.he().get(id);
  ASSERT_OK(a);
  ASSERT_OK(b);
  Json mine = a->entity;
  mine["note"] = "salbutamol 2x/day";
  ASSERT_OK(f.alice.he().modify(mine));
  Json theirs = b->entity;
  theirs["descr"] = "Severe asthma";
  auto stale = f.bob.he().modify(theirs);  // the plain overload: same rule
  EXPECT_ERROR_CODE(stale, ErrorCode::kConflict);
  EXPECT_NE(stale.error().message().find(id), std::string::npos) << stale.error().message();
  auto now = f.bob.he().get(id);
  ASSERT_OK(now);
  EXPECT_EQ(now->entity["descr"], "Asthma");
  EXPECT_EQ(now->entity["note"], "salbutamol 2x/day");
  Json again = now->entity;
  again["descr"] = "Severe asthma";
  ASSERT_OK(f.bob.he().modify(again));
  auto last = f.alice.he().get(id);
  ASSERT_OK(last);
  EXPECT_EQ(last->entity["descr"], "Severe asthma");
  EXPECT_EQ(last->entity["note"], "salbutamol 2x/day");
}

TEST(ConcurrentEdits, MergeAppliesDisjointChangesOntoTheCurrentVersion) {
  Fixture f;
  const std::string id = shared_entity(f.alice);
  // bob writes under the key alice shared: the app accepts it once (issue 13 §1).
  ASSERT_OK(f.bob.he().accept_shared_key(id));
  auto a = f.alice.he().get(id);
  auto b = f.bob.he().get(id);
  ASSERT_OK(a);
  ASSERT_OK(b);
  Json mine = a->entity;
  mine["note"] = "salbutamol 2x/day";
  ASSERT_OK(f.alice.he().modify(mine));
  Json theirs = b->entity;
  theirs["descr"] = "Severe asthma";
  ModifyOptions merge;
  merge.on_conflict = ConflictPolicy::kMerge;  // base: the SDK's copy of the revision bob read
  auto merged = f.bob.he().modify(theirs, merge);
  ASSERT_OK(merged);
  EXPECT_EQ(merged->entity["descr"], "Severe asthma");
  EXPECT_EQ(merged->entity["note"], "salbutamol 2x/day");
  auto now = f.alice.he().get(id);
  ASSERT_OK(now);
  EXPECT_EQ(now->entity["descr"], "Severe asthma");
  EXPECT_EQ(now->entity["note"], "salbutamol 2x/day");

  // The caller may pass the base itself (e.g. read by another SDK instance): a new session of bob.
  Session bob2 = sign_in(f.server, "bob", f.bob_store);
  auto base = f.alice.he().get(id);
  ASSERT_OK(base);
  Json first = base->entity;
  first["tags"] = Json::array({Json{{"type", "t"}, {"code", "c"}}});
  ASSERT_OK(f.alice.he().modify(first));
  Json second = base->entity;
  second["note"] = "stopped";
  ModifyOptions with_base;
  with_base.on_conflict = ConflictPolicy::kMerge;
  with_base.base = &base->entity;
  auto merged2 = bob2.he().modify(second, with_base);
  ASSERT_OK(merged2);
  EXPECT_EQ(merged2->entity["note"], "stopped");
  EXPECT_EQ(merged2->entity["tags"].size(), 1U);
}

TEST(ConcurrentEdits, MergeOfTheSameFieldIsAConflictNamingIt) {
  Fixture f;
  const std::string id = shared_entity(f.alice);
  // bob writes under the key alice shared: the app accepts it once (issue 13 §1).
  ASSERT_OK(f.bob.he().accept_shared_key(id));
  auto a = f.alice.he().get(id);
  auto b = f.bob.he().get(id);
  ASSERT_OK(a);
  ASSERT_OK(b);
  Json mine = a->entity;
  mine["descr"] = "Asthma, controlled";
  mine["note"] = "ok";
  ASSERT_OK(f.alice.he().modify(mine));
  Json theirs = b->entity;
  theirs["descr"] = "Severe asthma";
  theirs["note"] = "ok";  // same value on both sides: not a conflict
  ModifyConflict conflict;
  ModifyOptions merge;
  merge.on_conflict = ConflictPolicy::kMerge;
  merge.conflict = &conflict;
  auto r = f.bob.he().modify(theirs, merge);
  EXPECT_ERROR_CODE(r, ErrorCode::kConflict);
  EXPECT_EQ(conflict.fields, std::vector<std::string>{"descr"});
  EXPECT_NE(r.error().message().find("descr"), std::string::npos) << r.error().message();
  EXPECT_EQ(conflict.current.entity["descr"], "Asthma, controlled");
  auto now = f.alice.he().get(id);
  ASSERT_OK(now);
  EXPECT_EQ(now->entity["descr"], "Asthma, controlled") << "nothing written";
}

TEST(ConcurrentEdits, AMadeUpRevIsRejectedWithEitherPolicy) {
  Fixture f;
  const std::string id = shared_entity(f.alice);
  // bob writes under the key alice shared: the app accepts it once (issue 13 §1).
  ASSERT_OK(f.bob.he().accept_shared_key(id));
  auto a = f.alice.he().get(id);
  ASSERT_OK(a);
  const Json before = a->entity;
  for (const auto policy : {ConflictPolicy::kFail, ConflictPolicy::kMerge}) {
    Json forged = a->entity;
    forged["rev"] = "7-00000000000000000000000000000000";
    forged["descr"] = "overwritten";
    ModifyConflict conflict;
    ModifyOptions o;
    o.on_conflict = policy;
    o.conflict = &conflict;
    auto r = f.bob.he().modify(forged, o);
    EXPECT_ERROR_CODE(r, ErrorCode::kConflict);
    EXPECT_EQ(conflict.current.entity["rev"], before["rev"]);
  }
  Json no_rev = a->entity;
  no_rev.erase("rev");
  EXPECT_ERROR_CODE(f.bob.he().modify(no_rev), ErrorCode::kInvalidArgument);
  auto now = f.alice.he().get(id);
  ASSERT_OK(now);
  EXPECT_EQ(now->entity["rev"], before["rev"]);
  EXPECT_EQ(now->entity["descr"], "Asthma");
}

TEST(Shares, AWriteShareAfterAReadShareUpgradesAndASameShareSaysSo) {
  Fixture f;
  auto he = f.alice.he().create(Json{{"descr", "Asthma"}});
  ASSERT_OK(he);
  const std::string id = he->entity["id"];
  auto first = f.alice.he().share(id, "hcp-bob", AccessLevel::kRead);
  ASSERT_OK(first);
  EXPECT_EQ(first->share_outcome, ShareOutcome::kNewShare);
  ASSERT_OK(f.bob.he().accept_shared_key(id));  // bob takes alice's key as genuine (issue 13 §1)
  auto read = f.bob.he().get(id);
  ASSERT_OK(read);
  EXPECT_FALSE(read->can_write);
  Json change = read->entity;
  change["descr"] = "by bob";
  EXPECT_ERROR_CODE(f.bob.he().modify(change), ErrorCode::kPermissionDenied);

  const std::size_t writes_before = f.alice.transport->write_count();
  auto same = f.alice.he().share(id, "hcp-bob", AccessLevel::kRead);
  ASSERT_OK(same);
  EXPECT_EQ(same->share_outcome, ShareOutcome::kAlreadyShared);
  EXPECT_EQ(f.alice.transport->write_count(), writes_before) << "a share that changes nothing sends nothing";

  auto upgraded = f.alice.he().share(id, "hcp-bob", AccessLevel::kWrite);
  ASSERT_OK(upgraded);
  EXPECT_EQ(upgraded->share_outcome, ShareOutcome::kUpgraded);
  auto again = f.bob.he().get(id);
  ASSERT_OK(again);
  EXPECT_TRUE(again->can_write);
  Json bobs = again->entity;
  bobs["descr"] = "by bob";
  ASSERT_OK(f.bob.he().modify(bobs));
  auto seen = f.alice.he().get(id);
  ASSERT_OK(seen);
  EXPECT_EQ(seen->entity["descr"], "by bob");

  // Nothing more to do, at either level, from this session and from a new one.
  for (const auto level : {AccessLevel::kWrite, AccessLevel::kRead}) {
    auto r = f.alice.he().share(id, "hcp-bob", level);
    ASSERT_OK(r);
    EXPECT_EQ(r->share_outcome, ShareOutcome::kAlreadyShared);
  }
  Session alice2 = sign_in(f.server, "alice", f.alice_store);
  ASSERT_TRUE(alice2.sdk);
  const std::size_t writes2 = alice2.transport->write_count();
  auto fresh = alice2.he().share(id, "hcp-bob", AccessLevel::kWrite);
  ASSERT_OK(fresh);
  EXPECT_EQ(fresh->share_outcome, ShareOutcome::kAlreadyShared);
  EXPECT_EQ(alice2.transport->write_count(), writes2) << alice2.transport->writes.back();
}

TEST(Shares, TheOutcomeIsOnlySetByShare) {
  Fixture f;
  auto he = f.alice.he().create(Json{{"descr", "x"}});
  ASSERT_OK(he);
  EXPECT_FALSE(he->share_outcome.has_value());
  auto got = f.alice.he().get(he->entity["id"]);
  ASSERT_OK(got);
  EXPECT_FALSE(got->share_outcome.has_value());
}

}  // namespace
}  // namespace cardinal
