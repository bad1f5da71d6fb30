// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The C++ SDK against a local cardinal-devserver, for the same operations as the official SDK's
// bench/official_sdk/ops_bench.mjs: sign-in with existing keys, and creating a HealthElement
// shared with 3 delegates. Prints one JSON line (milliseconds).
//   bench_sdk_ops [creates=20] [path/to/cardinal-devserver]

#include <cardinal/http/curl_transport.hpp>
#include <cardinal/sdk.hpp>

#include "devserver_process.hpp"

#include <chrono>
#include <iostream>

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
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
  for (int i = 0; i < creates; ++i) {
    if (auto he = create_one(); !he.ok()) {
      std::cerr << he.error().to_string() << "\n";
      return 1;
    }
  }
  const double create_share_ms = ms_since(t0) / creates;
  std::cout << cardinal::Json{{"signInMs", sign_in_ms}, {"createShareMs", create_share_ms}}.dump() << "\n";
  return 0;
}
