// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The C++ SDK against a local cardinal-devserver, for the same operations as the official SDK's
// bench/official_sdk/ops_bench.mjs: sign-in with existing keys, creating a HealthElement shared
// with 3 delegates, and listing + decrypting the HealthElements of one patient through a query
// (`filter` by patient, pages of 1000; CARDINAL_BENCH_QUERY_ENTITIES of them, default 10 000,
// created in bulk beforehand, not timed). Prints one JSON line (milliseconds; for the creates also
// the CPU time of this process and of the devserver per create, /proc tick resolution: 10 ms over
// the whole loop).
//   bench_sdk_ops [creates=20] [path/to/cardinal-devserver]

#include <cardinal/http/curl_transport.hpp>
#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU milliseconds (user + system) of this process.
double own_cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

// CPU milliseconds (user + system) of process `pid`, from /proc/PID/stat; 0 when unreadable.
double process_cpu_ms(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks * 1e3 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

cardinal::Json seed() {
  cardinal::Json users = cardinal::Json::array();
  for (const char* login : {"alice", "bob", "carol", "dave"}) {
    users.push_back({{"login", login},
                     {"password", "pw"},
                     {"dataOwner", {{"type", "hcp"}, {"id", std::string("hcp-") + login}, {"firstName", login},
                                    {"lastName", "X"}}}});
  }
  return cardinal::Json{{"users", users}};
}

cardinal::Result<std::unique_ptr<cardinal::CardinalSdk>> sign_in(const std::string& url, const std::string& login,
                                                                  std::shared_ptr<cardinal::keys::KeyStore> store) {
  cardinal::SdkOptions o;
  o.base_url = url;
  o.username = login;
  o.password = cardinal::SecretBytes::from_string("pw");
  o.key_store = std::move(store);
  o.strategies = std::make_shared<cardinal::BasicCryptoStrategies>();
  CARDINAL_ASSIGN_OR_RETURN(o.transport, cardinal::CurlTransport::create({}));
  return cardinal::CardinalSdk::initialize(std::move(o));
}

// Creates `n` HealthElements of a new patient in bulk (not timed), then lists and decrypts them
// through a query: the milliseconds of the match and of the pages.
cardinal::Result<double> list_and_decrypt(cardinal::CardinalSdk& sdk, std::size_t n) {
  CARDINAL_ASSIGN_OR_RETURN(auto patient, sdk.patients().create(cardinal::Json{{"firstName", "L"}, {"lastName", "Ist"}}));
  cardinal::CreateOptions of_patient;
  of_patient.owning_entity_id = cardinal::string_member(patient.entity, "id");
  of_patient.secret_foreign_keys.assign(patient.secret_ids.begin(), patient.secret_ids.end());
  for (std::size_t done = 0; done < n;) {
    std::vector<cardinal::Json> batch;
    for (; batch.size() < 500 && done < n; ++done) {
      batch.push_back(cardinal::Json{
          {"descr", "he " + std::to_string(done)}, {"note", std::string(200, 'n')}, {"openingDate", 20240101}});
    }
    CARDINAL_ASSIGN_OR_RETURN(auto created, sdk.health_elements().create_many(std::move(batch), of_patient));
    for (const auto& r : created) CARDINAL_RETURN_IF_ERROR(r.status());
  }
  const auto t0 = Clock::now();
  CARDINAL_ASSIGN_OR_RETURN(auto it, sdk.health_elements().filter(
                                         cardinal::HealthElementFilters::by_patients_for_self({patient.entity}),
                                         {.page_size = 1000}));
  std::size_t decrypted = 0;
  while (it.has_next()) {
    CARDINAL_ASSIGN_OR_RETURN(auto page, it.next());
    decrypted += page.entities.size();
  }
  const double elapsed = ms_since(t0);
  if (decrypted != n) {
    return cardinal::Error{cardinal::ErrorCode::kInternal,
                           "the query listed " + std::to_string(decrypted) + " of " + std::to_string(n)};
  }
  return elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const int creates = argc > 1 ? std::stoi(argv[1]) : 20;
  if (argc > 2) setenv("CARDINAL_DEVSERVER", argv[2], 1);
  cardinal::testing::DevServer server(":memory:", seed());
  const std::string url = server.base_url();
  for (const char* login : {"bob", "carol", "dave"}) {  // the delegates' keys
    if (auto s = sign_in(url, login, std::make_shared<cardinal::keys::InMemoryKeyStore>()); !s.ok()) {
      std::cerr << login << ": " << s.error().to_string() << "\n";
      return 1;
    }
  }
  auto store = std::make_shared<cardinal::keys::InMemoryKeyStore>();
  if (auto first = sign_in(url, "alice", store); !first.ok()) {  // key generation, not timed
    std::cerr << first.error().to_string() << "\n";
    return 1;
  }
  auto t0 = Clock::now();
  auto sdk = sign_in(url, "alice", store);
  const double sign_in_ms = ms_since(t0);
  if (!sdk.ok()) return 1;

  const cardinal::CreateOptions options{
      .share_with = {{"hcp-bob", cardinal::AccessLevel::kRead},
                     {"hcp-carol", cardinal::AccessLevel::kRead},
                     {"hcp-dave", cardinal::AccessLevel::kRead}}};
  auto create_one = [&] {
    return (*sdk)->health_elements().create(
        cardinal::Json{{"descr", std::string(600, 'd')}, {"note", std::string(600, 'n')}}, options);
  };
  if (auto warm = create_one(); !warm.ok()) {  // exchange data to each delegate
    std::cerr << warm.error().to_string() << "\n";
    return 1;
  }
  t0 = Clock::now();
  const double cpu0 = own_cpu_ms(), server_cpu0 = process_cpu_ms(server.pid());
  for (int i = 0; i < creates; ++i) {
    if (auto he = create_one(); !he.ok()) {
      std::cerr << he.error().to_string() << "\n";
      return 1;
    }
  }
  const double create_share_ms = ms_since(t0) / creates;
  const double create_cpu_ms = (own_cpu_ms() - cpu0) / creates;
  const double create_server_cpu_ms = (process_cpu_ms(server.pid()) - server_cpu0) / creates;
  const char* n_env = std::getenv("CARDINAL_BENCH_QUERY_ENTITIES");
  const std::size_t n = n_env != nullptr ? std::stoul(n_env) : 10000;
  auto listed = list_and_decrypt(**sdk, n);
  if (!listed.ok()) {
    std::cerr << listed.error().to_string() << "\n";
    return 1;
  }
  std::cout << cardinal::Json{{"signInMs", sign_in_ms},
                              {"createShareMs", create_share_ms},
                              {"createShareCpuMs", create_cpu_ms},
                              {"createShareServerCpuMs", create_server_cpu_ms},
                              {"queryListDecryptMs", *listed},
                              {"queryEntities", n}}
                   .dump()
            << "\n";
  return 0;
}
