// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the examples: runs a local cardinal-devserver (a child process) with a few users, and
// talks to its test-only admin endpoint to play a compromised database.

#include <cardinal/http.hpp>
#include <cardinal/json.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace examples {

class LocalBackend {
 public:
  /// Users: alice, bob (HCPs), pat (patient); password = login + "-pw".
  bool start(const std::string& binary) {
    seed_ = "/tmp/cardinal-example-seed-" + std::to_string(getpid()) + ".json";
    std::ofstream(seed_) << R"({"users":[
      {"login":"alice","password":"alice-pw","dataOwner":{"type":"hcp","id":"hcp-alice","firstName":"Alice","lastName":"Martin"}},
      {"login":"bob","password":"bob-pw","dataOwner":{"type":"hcp","id":"hcp-bob","firstName":"Bob","lastName":"Dupont"}},
      {"login":"pat","password":"pat-pw","dataOwner":{"type":"patient","id":"pat-1","firstName":"Paula","lastName":"Peeters"}}]})";
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      execl(binary.c_str(), binary.c_str(), "--port", "0", "--db", ":memory:", "--seed", seed_.c_str(),
            "--insecure-test-admin", static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    close(fds[1]);
    FILE* out = fdopen(fds[0], "r");
    char line[256];
    const std::string prefix = "listening on ";
    while (std::fgets(line, sizeof line, out) != nullptr) {
      std::string l(line);
      if (l.rfind(prefix, 0) == 0) {
        url_ = l.substr(prefix.size());
        while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
        return true;
      }
    }
    return false;
  }
  ~LocalBackend() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (!seed_.empty()) std::remove(seed_.c_str());
  }
  [[nodiscard]] const std::string& url() const { return url_; }

  /// GET or PUT a raw record (the compromised database); null on failure.
  cardinal::Json admin(cardinal::HttpTransport& http, const std::string& method, const std::string& table_and_id,
                       const cardinal::Json& body = cardinal::Json()) const {
    cardinal::HttpRequest req;
    req.method = method;
    req.url = url_ + "/devserver/admin/" + table_and_id;
    req.headers = {{"Content-Type", "application/json"}};
    req.body = body.is_null() ? "" : body.dump();
    auto resp = http.send(req, {});
    if (!resp.ok() || resp->status != 200) return cardinal::Json();
    return cardinal::parse_json(resp->body).value_or(cardinal::Json());
  }

 private:
  pid_t pid_ = -1;
  std::string url_;
  std::string seed_;
};

}  // namespace examples
