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
// Review #8: sub-services of compound content carry their own encryptedSelf; one planted in clear
// (a forged reading inside a panel, or a panel grafted onto a service without content) is no
// writer's and is never returned as the service's content.
Json forged_sub(const std::string& id, const std::string& text) {
  return Json{{"id", id}, {"content", text_content(text)},
              {"notes", Json::array({Json{{"markdown", Json{{"en", "forged note text"}}}}})}};
}

bool mentions(const Json& j, const std::string& s) { return j.dump().find(s) != std::string::npos; }

TEST_F(ServiceAttacks, ClearSubServicesPlantedInCompoundContentAreLeftOutWithAWarning) {
  // A contact with a compound service (a panel of two readings, one of them itself compound).
  Json panel{{"id", "svc-panel"},
             {"content", Json{{"en", Json{{"compoundValue", Json::array({
                              Json{{"id", "svc-glucose"}, {"content", text_content("glucose 5.4")}},
                              Json{{"id", "svc-bp"}, {"content", Json{{"en", Json{{"compoundValue", Json::array({
                                  Json{{"id", "svc-sys"}, {"content", text_content("systolic 120")}}})}}}}}}})}}}}}};
  ASSERT_OK(core->create("Contact", Json{{"services", Json::array({panel})}}, {}));
  backend->distort = [&](const std::vector<std::string>&, Json page) {
    for (auto& s : page) {
      if (string_member(s, "id") == "svc-panel") {
        Json& subs = s["content"]["en"]["compoundValue"];
        subs.push_back(forged_sub("svc-forged", "forged reading"));                    // a whole clear sub-service
        subs[0]["content"] = text_content("forged glucose");                           // next to its encryptedSelf
        subs[1]["content"]["en"]["compoundValue"].push_back(forged_sub("svc-deep", "forged deep"));  // nested
      }
      if (string_member(s, "id") == "svc-a1") {
        // A service whose content is encrypted: a clear compound content is kept out (encrypted wins).
        s["content"] = Json{{"en", Json{{"compoundValue", Json::array({forged_sub("svc-x", "forged x")})}}}};
      }
    }
    return page;
  };
  const auto before = tamper_count();
  auto got = core->get_services({"svc-panel", "svc-a1"});
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), 2u);
  ASSERT_OK((*got)[0]);
  const Json& service = (*got)[0]->entity;
  for (const char* forged : {"forged reading", "forged note text", "forged deep", "forged glucose"}) {
    EXPECT_FALSE(mentions(service, forged)) << forged << " returned: " << service.dump();
  }
  // What the writer encrypted is still there.
  const Json& subs = service["content"]["en"]["compoundValue"];
  EXPECT_EQ(subs[0]["content"]["en"]["stringValue"], "glucose 5.4");
  EXPECT_EQ(subs[1]["content"]["en"]["compoundValue"][0]["content"]["en"]["stringValue"], "systolic 120");
  // Reported: the forged sub-services' content and notes, the nested one, the replaced glucose.
  EXPECT_GE((*got)[0]->warnings.size(), 5u);
  ASSERT_OK((*got)[1]);
  EXPECT_EQ((*got)[1]->entity["content"]["en"]["stringValue"], "a1");
  EXPECT_FALSE(mentions((*got)[1]->entity, "forged x"));
  EXPECT_FALSE((*got)[1]->warnings.empty());
  EXPECT_GE(tamper_count() - before, 6u);

  // A panel grafted onto a service stored without content.
  ASSERT_OK(core->create("Contact", Json{{"services", Json::array({Json{{"id", "svc-empty"}, {"label", "x"}}})}}, {}));
  backend->distort = [&](const std::vector<std::string>&, Json page) {
    for (auto& s : page) s["content"] = Json{{"en", Json{{"compoundValue", Json::array({forged_sub("svc-g", "grafted")})}}}};
    return page;
  };
  auto grafted = core->get_services({"svc-empty"});
  ASSERT_OK(grafted);
  ASSERT_OK((*grafted)[0]);
  EXPECT_FALSE(mentions((*grafted)[0]->entity, "grafted")) << (*grafted)[0]->entity.dump();
  EXPECT_FALSE((*grafted)[0]->warnings.empty());
}

TEST_F(ServiceAttacks, ClearServiceContentPlantedInAContactIsLeftOutWithAWarning) {
  Json panel{{"id", "svc-p"}, {"content", Json{{"en", Json{{"compoundValue", Json::array({
                                  Json{{"id", "svc-p1"}, {"content", text_content("reading one")}}})}}}}}};
  auto created = core->create("Contact", Json{{"services", Json::array({panel})}}, {});
  ASSERT_OK(created);
  const std::string id = string_member(created->entity, "id");
  auto raw = backend->RestBackend::get_entity("Contact", id, {});
  ASSERT_OK(raw);
  {  // untouched: no report
    auto clean = core->decrypt("Contact", *raw);
    ASSERT_OK(clean);
    EXPECT_TRUE(clean->warnings.empty()) << clean->warnings.front();
  }
  Json tampered = *raw;
  tampered["services"].push_back(forged_sub("svc-planted", "planted service"));  // a whole clear service
  tampered["services"][0]["content"]["en"]["compoundValue"].push_back(forged_sub("svc-p2", "planted reading"));
  const auto before = tamper_count();
  auto read = core->decrypt("Contact", tampered);
  ASSERT_OK(read);
  for (const char* forged : {"planted service", "planted reading", "forged note text"}) {
    EXPECT_FALSE(mentions(read->entity, forged)) << forged << " returned: " << read->entity.dump();
  }
  EXPECT_EQ(read->entity["services"][0]["content"]["en"]["compoundValue"][0]["content"]["en"]["stringValue"],
            "reading one");
  EXPECT_EQ(read->warnings.size(), 4u);  // content and notes of each planted service
  EXPECT_EQ(tamper_count() - before, 4u);
}

}  // namespace cardinal
