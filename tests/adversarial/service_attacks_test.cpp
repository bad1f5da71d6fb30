// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Service queries against a hostile server: a real cardinal-devserver holds the contacts, and a
// backend in front of it distorts the answers of POST /rest/v2/contact/service (services not asked
// for, repeated, taken from another contact, with planted clear content). The SDK keeps only what
// it asked for, once, and reports the rest; a service whose content or security metadata comes
// from another contact does not decrypt and is reported, never returned.

#include "api/rest_backend.hpp"
#include "api/sdk_core.hpp"
#include "devserver_process.hpp"
#include "httplib_api_call.hpp"
#include "test_util.hpp"

#include <mutex>

namespace cardinal {
namespace {

class HostileServiceBackend : public api::RestBackend {
 public:
  using RestBackend::RestBackend;
  std::function<Json(const std::vector<std::string>&, Json)> distort;  // changes the byIds answer
  Result<Json> get_services(const std::vector<std::string>& ids, const api::AccessKeys& keys) override {
    CARDINAL_ASSIGN_OR_RETURN(Json page, RestBackend::get_services(ids, keys));
    return distort ? distort(ids, std::move(page)) : page;
  }
};

Json text_content(const std::string& s) { return Json{{"en", Json{{"stringValue", s}}}}; }

class ServiceAttacks : public ::testing::Test {
 protected:
  void SetUp() override {
    backend = std::make_shared<HostileServiceBackend>(testing::httplib_api_call("127.0.0.1", server.port(), "alice", "pw"));
    api::CoreOptions o;
    o.backend = backend;
    o.keys = std::make_shared<keys::InMemoryKeyStore>();
    o.strategies = std::make_shared<BasicCryptoStrategies>();
    o.on_tamper = [this](const TamperReport& e) {
      std::lock_guard lock(mutex);
      tampering.push_back(e);
    };
    auto c = api::SdkCore::start(std::move(o));
    ASSERT_OK(c);
    core = std::move(c).value();
    // Two contacts of alice, two services each.
    for (const std::string name : {"a", "b"}) {
      Json contact{{"services", Json::array({Json{{"id", "svc-" + name + "1"}, {"content", text_content(name + "1")}},
                                             Json{{"id", "svc-" + name + "2"}, {"content", text_content(name + "2")}}})}};
      ASSERT_OK(core->create("Contact", contact, {}));
    }
    auto raw = backend->RestBackend::get_services({"svc-a1", "svc-a2", "svc-b1", "svc-b2"}, {});
    ASSERT_OK(raw);
    ASSERT_EQ(raw->size(), 4u);
    for (const auto& s : *raw) stored[string_member(s, "id")] = s;
  }

  // The services of a query over `ids`, to its end (bounded), with the issues of its pages.
  std::pair<std::vector<std::string>, std::vector<QueryIssue>> drain(const std::vector<std::string>& ids) {
    auto match = core->match("Service", ServiceFilters::by_ids(ids).spec());
    EXPECT_TRUE(match.ok()) << (match.ok() ? "" : match.error().to_string());
    std::pair<std::vector<std::string>, std::vector<QueryIssue>> out;
    if (!match.ok()) return out;
    auto it = api::make_paginated<DecryptedEntity>("Service", std::move(match).value(), {.page_size = 10},
                                                   core->query_callbacks("Service"));
    for (int pages = 0; it.has_next() && pages < 10; ++pages) {
      auto page = it.next();
      EXPECT_TRUE(page.ok());
      if (!page.ok()) break;
      for (const auto& d : page->entities) out.first.push_back(string_member(d.entity, "id"));
      out.second.insert(out.second.end(), page->issues.begin(), page->issues.end());
    }
    return out;
  }
  std::size_t tamper_count() {
    std::lock_guard lock(mutex);
    return tampering.size();
  }

  testing::DevServer server{":tmpfile:"};
  std::shared_ptr<HostileServiceBackend> backend;
  std::unique_ptr<api::SdkCore> core;
  std::mutex mutex;
  std::vector<TamperReport> tampering;
  std::map<std::string, Json> stored;  // as the server answers them
};

std::size_t count(const std::vector<QueryIssue>& issues, QueryIssueKind kind) {
  return static_cast<std::size_t>(
      std::count_if(issues.begin(), issues.end(), [&](const QueryIssue& i) { return i.kind == kind; }));
}

TEST_F(ServiceAttacks, ServicesNotAskedForOrRepeatedAreDroppedAndReported) {
  backend->distort = [&](const std::vector<std::string>&, Json page) {
    page.push_back(stored["svc-b1"]);  // readable, but not asked for
    page.push_back(page[0]);           // the same service twice
    return page;
  };
  const auto before = tamper_count();
  auto [ids, issues] = drain({"svc-a1", "svc-a2"});
  EXPECT_EQ(ids, (std::vector<std::string>{"svc-a1", "svc-a2"}));
  EXPECT_EQ(count(issues, QueryIssueKind::kUnexpected), 1u);
  EXPECT_EQ(count(issues, QueryIssueKind::kDuplicate), 1u);
  EXPECT_EQ(tamper_count() - before, 2u);

  // get_services applies the same checks.
  auto got = core->get_services({"svc-a1"});
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), 1u);
  ASSERT_OK((*got)[0]);
  EXPECT_EQ((*got)[0]->entity["content"]["en"]["stringValue"], "a1");
}

TEST_F(ServiceAttacks, AServiceFromAnotherContactDoesNotDecryptAndIsReported) {
  backend->distort = [&](const std::vector<std::string>&, Json page) {
    for (auto& s : page) {
      if (string_member(s, "id") == "svc-a1") {
        // svc-a1's content, with the security metadata of contact b (the user can open it).
        for (const char* f : {"securityMetadata", "secretForeignKeys", "contactId"}) s[f] = stored["svc-b1"][f];
      }
      if (string_member(s, "id") == "svc-a2") s["encryptedSelf"] = stored["svc-b2"]["encryptedSelf"];  // b2's content
    }
    return page;
  };
  auto [ids, issues] = drain({"svc-a1", "svc-a2"});
  EXPECT_TRUE(ids.empty()) << ids.front();
  EXPECT_EQ(count(issues, QueryIssueKind::kUndecryptable), 2u);
  auto got = core->get_services({"svc-a1", "svc-a2"});
  ASSERT_OK(got);
  for (const auto& r : *got) EXPECT_FALSE(r.ok());
}

TEST_F(ServiceAttacks, ClearContentPlantedOnAServiceIsLeftOutWithAWarning) {
  backend->distort = [&](const std::vector<std::string>&, Json page) {
    for (auto& s : page) {
      s["notes"] = Json::array({Json{{"markdown", Json{{"en", "planted in clear"}}}}});  // encrypted by every writer
      s["content"]["en"] = Json{{"stringValue", "planted"}};  // next to the encrypted content
    }
    return page;
  };
  auto got = core->get_services({"svc-a1"});
  ASSERT_OK(got);
  ASSERT_OK((*got)[0]);
  const Json& service = (*got)[0]->entity;
  EXPECT_FALSE(service.contains("notes") && service["notes"].dump().find("planted") != std::string::npos) << service.dump();
  EXPECT_GE((*got)[0]->warnings.size(), 2u);
  EXPECT_EQ(service["content"]["en"]["stringValue"], "a1");  // the encrypted value, not the planted one
}

}  // namespace
}  // namespace cardinal
