// Match latency of cardinal-devserver over 100 000 HealthElements (issue 12): the filters the
// official SDK sends, resolved over the SQLite match indexes, in process (store + filters) and
// over HTTP (a devserver process on the same file). The entity count can be lowered with
// CARDINAL_BENCH_MATCH_ENTITIES (the ctest smoke run uses 2000). Timing goals live in the output
// only: nothing here asserts speed.
//
// Data: alice owns every HealthElement (N), spread over N/100 patients (100 each, opening dates
// increasing), 10 tag codes; every fifth one is also shared with bob.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <httplib.h>

#include "db.hpp"
#include "devserver_process.hpp"
#include "filters.hpp"
#include "rules.hpp"

namespace {

using devserver::json;

std::size_t entity_count() {
  const char* env = std::getenv("CARDINAL_BENCH_MATCH_ENTITIES");
  const long n = env != nullptr ? std::atol(env) : 100000;
  return n >= 100 ? static_cast<std::size_t>(n) : 100000;
}

json delegation(const std::string& delegator, const std::string& delegate) {
  return {{"delegator", delegator}, {"delegate", delegate}, {"secretIds", {"c2VjcmV0"}}, {"encryptionKeys", {"a2V5"}},
          {"exchangeDataId", "xd-" + delegate}, {"permissions", "WRITE"}};
}

std::string hex_key(std::size_t i, char side) {
  std::string k(64, '0');
  const std::string n = std::to_string(i);
  k.replace(64 - n.size(), n.size(), n);
  k[0] = side;
  return k;
}

json health_element(std::size_t i) {
  json sd = {{hex_key(i, 'a'), delegation("hcp-alice", "hcp-alice")}};
  if (i % 5 == 0) sd[hex_key(i, 'b')] = delegation("hcp-alice", "hcp-bob");
  return {{"id", "he-" + std::to_string(i)},
          {"rev", "1-00000000000000000000000000000000"},
          {"encryptedSelf", "QUJDRA=="},
          {"secretForeignKeys", {"sfk-" + std::to_string(i / 100)}},
          {"openingDate", 20240101000000 + static_cast<std::int64_t>(i % 100)},
          {"tags", {{{"type", "CARE"}, {"code", "c" + std::to_string(i % 10)}}}},
          {"securityMetadata", {{"secureDelegations", sd}}}};
}

struct Fixture {
  std::filesystem::path dir;
  std::string db_path;
  std::unique_ptr<devserver::Db> db;
  std::unique_ptr<cardinal::testing::DevServer> server;
  std::string alice_token;

  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("bench-devserver-match-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    db_path = (dir / "db.sqlite").string();
    db = std::make_unique<devserver::Db>(db_path);
    const std::size_t n = entity_count();
    db->transaction([&] {
      for (std::size_t i = 0; i < n; ++i) db->insert(devserver::table::kHealthElements, "he-" + std::to_string(i), health_element(i));
    });
    server = std::make_unique<cardinal::testing::DevServer>(
        db_path, nlohmann::ordered_json::parse(R"({"users":[
          {"login":"alice","password":"pw","dataOwner":{"type":"hcp","id":"hcp-alice"}},
          {"login":"bob","password":"pw","dataOwner":{"type":"hcp","id":"hcp-bob"}}]})"));
    httplib::Client http("127.0.0.1", server->port());
    const auto r = http.Post("/rest/v2/auth/login", R"({"username":"alice","password":"pw"})", "application/json");
    if (!r || r->status != 200) throw std::runtime_error("login failed");
    alice_token = json::parse(r->body)["token"].get<std::string>();
  }
  ~Fixture() {
    server.reset();
    db.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

devserver::Caller caller(const std::string& id) {
  devserver::Caller c;
  c.user_id = "user-" + id;
  c.data_owner_id = id;
  c.data_owner_type = "hcp";
  c.hierarchy = {id};
  return c;
}

const devserver::EntityKind& health_elements() { return devserver::kEntityKinds[0]; }

json by_patient(const std::string& owner, const std::string& sfk, bool descending) {
  return {{"$type", "HealthElementByDataOwnerPatientOpeningDate"}, {"healthcarePartyId", owner},
          {"patientSecretForeignKeys", {sfk}}, {"descending", descending}};
}

json by_tag(const std::string& code) {
  return {{"$type", "HealthElementByHcPartyTagCodeFilter"}, {"healthcarePartyId", "hcp-alice"}, {"tagType", "CARE"},
          {"tagCode", code}};
}

void run_in_process(benchmark::State& state, const json& filter, const devserver::Caller& c) {
  auto& f = fixture();
  std::size_t found = 0;
  for (auto _ : state) {
    const auto ids = f.db->transaction([&] { return devserver::match_ids(*f.db, health_elements(), filter, c); });
    found = ids.size();
    benchmark::DoNotOptimize(found);
  }
  state.counters["entities"] = static_cast<double>(entity_count());
  state.counters["ids"] = static_cast<double>(found);
}

// One patient's 100 HealthElements, sorted by opening date.
void BM_MatchByPatient(benchmark::State& state) {
  run_in_process(state, by_patient("hcp-alice", "sfk-42", true), caller("hcp-alice"));
}
BENCHMARK(BM_MatchByPatient)->Unit(benchmark::kMicrosecond);

// One patient's HealthElements shared with bob (20).
void BM_MatchByPatientSharedWithBob(benchmark::State& state) {
  run_in_process(state, by_patient("hcp-bob", "sfk-42", false), caller("hcp-bob"));
}
BENCHMARK(BM_MatchByPatientSharedWithBob)->Unit(benchmark::kMicrosecond);

// A tag carried by a tenth of all HealthElements.
void BM_MatchByTag(benchmark::State& state) { run_in_process(state, by_tag("c3"), caller("hcp-alice")); }
BENCHMARK(BM_MatchByTag)->Unit(benchmark::kMillisecond);

// The same patient query through HTTP (JSON, authentication, one transaction).
void BM_MatchByPatientOverHttp(benchmark::State& state) {
  auto& f = fixture();
  httplib::Client http("127.0.0.1", f.server->port());
  http.set_keep_alive(true);
  http.set_tcp_nodelay(true);
  const httplib::Headers headers = {{"Authorization", "Bearer " + f.alice_token}};
  const std::string body = by_patient("hcp-alice", "sfk-42", true).dump();
  std::size_t found = 0;
  for (auto _ : state) {
    const auto r = http.Post("/rest/v2/helement/match", headers, body, "application/json");
    if (!r || r->status != 200) {
      state.SkipWithError("match failed");
      break;
    }
    found = json::parse(r->body).size();
  }
  state.counters["entities"] = static_cast<double>(entity_count());
  state.counters["ids"] = static_cast<double>(found);
}
BENCHMARK(BM_MatchByPatientOverHttp)->Unit(benchmark::kMicrosecond);

}  // namespace
