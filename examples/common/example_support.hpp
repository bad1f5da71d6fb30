// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Shared by the examples that need a backend: starts a local cardinal-devserver (a child process)
// with seeded users, and reaches its test-only admin endpoint, which plays a compromised
// database. Public API only.
#pragma once

#include <cardinal/http/transport.hpp>
#include <cardinal/json.hpp>
#include <cardinal/result.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>

namespace example {

/// A cardinal-devserver child process, stopped when this object goes away.
class LocalBackend {
 public:
  LocalBackend() = default;
  LocalBackend(const LocalBackend&) = delete;
  LocalBackend& operator=(const LocalBackend&) = delete;
  ~LocalBackend() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (!seed_.empty()) std::remove(seed_.c_str());
  }

  /// Starts `binary` on a free port with an in-memory database, the given seed JSON and the
  /// admin endpoint on. Returns false if it does not come up.
  bool start(const std::string& binary, const std::string& seed_json) {
    seed_ = "/tmp/cardinal-example-seed-" + std::to_string(getpid()) + ".json";
    std::ofstream(seed_) << seed_json;
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      execl(binary.c_str(), binary.c_str(), "--port", "0", "--db", ":memory:", "--seed", seed_.c_str(),
            "--insecure-test-admin", static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    close(fds[1]);
    FILE* out = fdopen(fds[0], "r");
    if (out == nullptr) return false;
    char line[256];
    const std::string prefix = "listening on ";
    while (std::fgets(line, sizeof line, out) != nullptr) {
      const std::string l(line);
      if (l.rfind(prefix, 0) == 0) {
        url_ = l.substr(prefix.size());
        while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
        return true;  // the pipe stays open (the server's later output is discarded with it)
      }
    }
    std::fclose(out);
    return false;
  }

  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  pid_t pid_ = -1;
  std::string url_;
  std::string seed_;
};

/// `GET/PUT /devserver/admin/{table}/{id}`: raw records, no checks (the compromised database).
inline cardinal::Json admin(cardinal::HttpTransport& http, const std::string& base, const std::string& method,
                            const std::string& path, const cardinal::Json& body = cardinal::Json()) {
  cardinal::HttpRequest req;
  req.method = method;
  req.url = base + "/devserver/admin/" + path;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = body.is_null() ? "" : body.dump();
  req.idempotent = method == "GET";
  auto resp = http.send(req, {});
  if (!resp.ok() || resp->status != 200) return cardinal::Json();
  return cardinal::parse_json(resp->body).value_or(cardinal::Json());
}

[[noreturn]] inline void die(const std::string& what, const cardinal::Error& e) {
  std::cerr << "\n  ✗ " << what << ": " << e.to_string() << "\n";
  std::exit(1);
}

/// The value of `r`, or exits with the error.
template <typename T>
T check(cardinal::Result<T> r, const std::string& what) {
  if (!r.ok()) die(what, r.error());
  return std::move(r).value();
}

/// Prints a claim and exits non-zero when it is false.
inline void claim(bool holds, const std::string& text) {
  std::cout << "   " << (holds ? "✓ " : "✗ FALSE: ") << text << "\n";
  if (!holds) std::exit(1);
}

}  // namespace example
