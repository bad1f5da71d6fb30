// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// A devserver with alice, bob, carol (HCPs) and pat (patient), each an SdkCore whose requests are
// counted by route and may be intercepted, and whose tamper reports are kept: for the sharing
// tests (integration and adversarial).

#include "api/sdk_core.hpp"
#include "devserver_process.hpp"
#include "httplib_api_call.hpp"
#include "test_util.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace cardinal::testing {

struct ShareClient {
  using Interceptor = std::function<Result<transport::ApiResponse>(const transport::ApiRequest&, const transport::ApiCall&)>;
  std::shared_ptr<keys::KeyStore> keys = std::make_shared<keys::InMemoryKeyStore>();
  std::shared_ptr<api::Backend> backend;  // the REST backend, without the SDK's tracking
  std::unique_ptr<api::SdkCore> core;
  Interceptor interceptor;
  std::mutex mutex;
  std::map<std::string, int> routes;  // "METHOD path" (query dropped) → count
  std::vector<TamperReport> events;

  Status start(const DevServer& server, const std::string& login) {
    api::CoreOptions o;
    auto inner = httplib_api_call("127.0.0.1", server.port(), login, "pw");
    backend = std::make_shared<api::RestBackend>([this, inner](const transport::ApiRequest& r) {
      {
        std::lock_guard lock(mutex);
        ++routes[r.method + " " + r.path.substr(0, r.path.find('?'))];
      }
      return interceptor ? interceptor(r, inner) : inner(r);
    });
    o.backend = backend;
    o.keys = keys;
    o.strategies = std::make_shared<BasicCryptoStrategies>();
    o.on_tamper = [this](const TamperReport& e) {
      std::lock_guard lock(mutex);
      events.push_back(e);
    };
    auto c = api::SdkCore::start(std::move(o));
    if (!c.ok()) return c.error();
    core = std::move(c).value();
    return {};
  }
  void reset() {
    std::lock_guard lock(mutex);
    routes.clear();
  }
  int count(const std::string& route) {
    std::lock_guard lock(mutex);
    auto it = routes.find(route);
    return it == routes.end() ? 0 : it->second;
  }
  int total() {
    std::lock_guard lock(mutex);
    int n = 0;
    for (const auto& [r, c] : routes) n += c;
    return n;
  }
  std::string dump() {
    std::lock_guard lock(mutex);
    std::string out;
    for (const auto& [r, c] : routes) out += "  " + std::to_string(c) + " × " + r + "\n";
    return out;
  }
  /// Whether a tamper report about `record_id` was made (with `words` in its message).
  bool reported(const std::string& record_id, const std::string& words = "") {
    std::lock_guard lock(mutex);
    for (const auto& e : events) {
      if (e.record_id == record_id && e.error.message().find(words) != std::string::npos) return true;
    }
    return false;
  }
};

struct ShareWorld {
  DevServer server{":tmpfile:"};
  ShareClient alice, bob, carol, pat;
  ShareWorld() {
    EXPECT_TRUE(alice.start(server, "alice").ok());
    EXPECT_TRUE(bob.start(server, "bob").ok());
    EXPECT_TRUE(carol.start(server, "carol").ok());
    EXPECT_TRUE(pat.start(server, "pat").ok());
  }
};

/// A new health element of alice's, of `patient` (its owning entity, linked by its secret ids).
inline Result<DecryptedEntity> alice_he(ShareWorld& w, const std::string& descr, const DecryptedEntity* patient = nullptr,
                                        std::vector<std::pair<std::string, AccessLevel>> share_with = {}) {
  CreateOptions o;
  if (patient != nullptr) {
    o.owning_entity_id = patient->entity["id"].get<std::string>();
    o.secret_foreign_keys = patient->secret_ids;
  }
  o.share_with = std::move(share_with);
  return w.alice.core->create("HealthElement", Json{{"descr", descr}, {"note", "note of " + descr}}, o);
}

}  // namespace cardinal::testing
