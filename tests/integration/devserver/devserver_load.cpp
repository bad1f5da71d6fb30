// Bounded load test for cardinal-devserver: N concurrent clients x M mixed requests on loopback.
// Checks: no unexpected status, no lost writes (every client's last write is what the server holds,
// and a contended counter updated with optimistic concurrency ends at the number of successful
// increments). Prints the throughput.
//   devserver_load_test [--clients 50] [--requests 200]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "devserver_client.hpp"

using devserver_test::Client;
using devserver_test::DevServer;
using devserver_test::json;

namespace {

constexpr int kUsers = 10;

json root_entity(const std::string& id, const std::string& owner, const std::string& content) {
  json d = {{"delegator", owner}, {"delegate", owner}, {"secretIds", {"c2VjcmV0"}}, {"encryptionKeys", {"a2V5"}},
            {"exchangeDataId", "xd-" + owner}, {"permissions", "WRITE"}};
  return {{"id", id}, {"descr", content}, {"securityMetadata", {{"secureDelegations", {{devserver_test::sd_key(id), d}}}}}};
}

struct Totals {
  std::atomic<long> requests{0};
  std::atomic<long> errors{0};
  std::atomic<long> conflicts{0};
  std::atomic<long> increments{0};
  std::mutex mutex;
  std::vector<std::string> messages;
  void error(const std::string& m) {
    ++errors;
    std::lock_guard<std::mutex> lock(mutex);
    if (messages.size() < 20) messages.push_back(m);
  }
};

}  // namespace

int main(int argc, char** argv) {
  int clients = 50;
  int per_client = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--clients") clients = std::stoi(argv[i + 1]);
    if (a == "--requests") per_client = std::stoi(argv[i + 1]);
  }

  const auto dir = devserver_test::make_temp_dir("devserver-load");
  json seed = {{"users", json::array()}};
  for (int u = 0; u < kUsers; ++u) {
    const std::string n = std::to_string(u);
    seed["users"].push_back({{"login", "load" + n}, {"password", "pw" + n},
                             {"dataOwner", {{"type", "hcp"}, {"id", "hcp-load" + n}, {"firstName", "Load" + n}}}});
  }
  std::ofstream(dir / "seed.json") << seed.dump();
  int rc = 1;
  {
    DevServer server((dir / "db.sqlite").string(), devserver_test::SeedFile{dir / "seed.json"});
    const int port = server.port();

    // A shared entity everybody may write through an access control key (anonymous root delegation).
    const httplib::Headers shared_ack = {{"Icure-Access-Control-Keys", devserver_test::base64(devserver_test::ack_bytes("shared"))}};
    {
      Client c(port);
      c.login("load0", "pw0");
      json shared = {{"id", "shared-counter"}, {"descr", "0"},
                     {"securityMetadata", {{"secureDelegations", {{devserver_test::sd_key("shared"),
                         {{"secretIds", json::array()}, {"encryptionKeys", {"a2V5"}}, {"permissions", "WRITE"}}}}}}}};
      const auto r = c.post("/rest/v2/helement", shared, shared_ack);
      if (r.status != 200) {
        std::cerr << "cannot create the shared entity: " << r.status << ' ' << r.raw << '\n';
        return 1;
      }
    }

    Totals totals;
    std::vector<std::map<std::string, json>> written(static_cast<std::size_t>(clients));
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t) {
      threads.emplace_back([&, t] {
        const int u = t % kUsers;
        const std::string owner = "hcp-load" + std::to_string(u);
        Client c(port);
        auto& mine = written[static_cast<std::size_t>(t)];
        auto expect = [&](const devserver_test::Response& r, int status, const char* what) {
          ++totals.requests;
          if (r.status != status) totals.error(std::string(what) + ": " + std::to_string(r.status) + " " + r.raw.substr(0, 200));
          return r.status == status;
        };
        if (!expect(c.login("load" + std::to_string(u), "pw" + std::to_string(u)), 200, "login")) return;
        int n = 0;
        std::vector<std::string> ids;
        for (int i = 1; i < per_client; ++i) {
          const int op = i % 10;
          if (op <= 2 || ids.empty()) {
            const std::string id = "he-" + std::to_string(t) + "-" + std::to_string(n++);
            const auto r = c.post("/rest/v2/helement", root_entity(id, owner, "v0-" + id));
            if (expect(r, 200, "create")) {
              mine[id] = r.body;
              ids.push_back(id);
            }
          } else if (op <= 5) {
            const std::string& id = ids[static_cast<std::size_t>(i) % ids.size()];
            const auto r = c.get("/rest/v2/helement/" + id);
            if (expect(r, 200, "get") && r.body != mine[id]) totals.error("get returned stale content for " + id);
          } else if (op == 6) {
            const std::string& id = ids[static_cast<std::size_t>(i) % ids.size()];
            json e = mine[id];
            e["descr"] = "v" + std::to_string(i) + "-" + id;
            const auto r = c.put("/rest/v2/helement", e);
            if (expect(r, 200, "modify")) mine[id] = r.body;
          } else if (op == 7) {
            json body = {{"ids", json::array()}};
            for (std::size_t k = 0; k < ids.size() && k < 5; ++k) body["ids"].push_back(ids[ids.size() - 1 - k]);
            const auto r = c.post("/rest/v2/helement/byIds", body);
            if (expect(r, 200, "byIds") && r.body.size() != body["ids"].size()) totals.error("byIds lost entities");
          } else if (op == 8) {
            // Optimistic increment of the shared counter: read, write with the rev, retry on 409.
            const auto g = c.get("/rest/v2/helement/shared-counter", shared_ack);
            if (!expect(g, 200, "get shared")) continue;
            json e = g.body;
            e["descr"] = std::to_string(std::stol(e["descr"].get<std::string>()) + 1);
            ++i;
            const auto w = c.put("/rest/v2/helement", e, shared_ack);
            ++totals.requests;
            if (w.status == 200) {
              ++totals.increments;
            } else if (w.status == 409) {
              ++totals.conflicts;
            } else {
              totals.error("shared modify: " + std::to_string(w.status));
            }
          } else {
            expect(c.get(i % 2 ? "/rest/v2/dataowner/current" : "/rest/v2/exchangedata/byParticipant/" + owner), 200, "misc");
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::printf("load: traffic done after %.2f s, verifying\n", seconds);
    std::fflush(stdout);
    // No lost writes: every entity holds the last accepted write, and the counter every increment.
    Client check(port);
    check.login("load0", "pw0");
    long verified = 0;
    for (int t = 0; t < clients; ++t) {
      Client owner_client(port);
      const int u = t % kUsers;
      owner_client.login("load" + std::to_string(u), "pw" + std::to_string(u));
      for (const auto& [id, doc] : written[static_cast<std::size_t>(t)]) {
        const auto r = owner_client.get("/rest/v2/helement/" + id);
        if (r.status != 200 || r.body != doc) totals.error("lost write on " + id);
        ++verified;
      }
    }
    const auto counter = check.get("/rest/v2/helement/shared-counter", shared_ack);
    const long final_count = counter.status == 200 ? std::stol(counter.body["descr"].get<std::string>()) : -1;
    if (final_count != totals.increments.load()) {
      totals.error("shared counter is " + std::to_string(final_count) + ", expected " + std::to_string(totals.increments.load()));
    }

    std::printf("load: %d clients x %d requests: %ld requests in %.2f s = %.0f requests/s\n", clients, per_client,
                totals.requests.load(), seconds, static_cast<double>(totals.requests.load()) / seconds);
    std::printf("load: %ld entities verified, counter %ld = %ld successful increments (%ld conflicts retried), %ld errors\n",
                verified, final_count, totals.increments.load(), totals.conflicts.load(), totals.errors.load());
    for (const auto& m : totals.messages) std::printf("load error: %s\n", m.c_str());
    rc = totals.errors.load() == 0 && server.stop() == 0 ? 0 : 1;
  }
  std::filesystem::remove_all(dir);
  return rc;
}
