// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Runs a real cardinal-devserver process for a test: `--port 0`, reads the "listening on" line,
// stops it with SIGTERM on destruction.

#include <cardinal/json.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cardinal::testing {

inline std::string devserver_binary() {
  if (const char* env = std::getenv("CARDINAL_DEVSERVER")) return env;
#ifdef CARDINAL_DEVSERVER_BIN
  return CARDINAL_DEVSERVER_BIN;
#else
  return "cardinal-devserver";
#endif
}

/// A seed with users alice, bob, carol (HCPs) and pat (a patient), password "pw".
inline Json default_seed() {
  return parse_json(R"({"users":[
    {"login":"alice","password":"pw","dataOwner":{"type":"hcp","id":"hcp-alice","firstName":"Alice","lastName":"A"}},
    {"login":"bob","password":"pw","dataOwner":{"type":"hcp","id":"hcp-bob","firstName":"Bob","lastName":"B"}},
    {"login":"carol","password":"pw","dataOwner":{"type":"hcp","id":"hcp-carol","firstName":"Carol","lastName":"C"}},
    {"login":"pat","password":"pw","dataOwner":{"type":"patient","id":"pat-1","firstName":"Pat","lastName":"P"}}]})")
      .value();
}

class DevServer {
 public:
  /// `db`: a file path or ":memory:". Throws on failure (test setup only).
  explicit DevServer(std::string db = ":memory:", const Json& seed = default_seed(),
                     std::vector<std::string> extra_args = {}) {
    char dir_template[] = "/tmp/cardinal-devserver-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir_template;
    seed_path_ = dir_ + "/seed.json";
    std::ofstream(seed_path_) << seed.dump();
    db_ = db == ":tmpfile:" ? dir_ + "/db.sqlite" : db;
    start(extra_args);
  }
  ~DevServer() {
    stop();
    std::system(("rm -rf '" + dir_ + "'").c_str());  // NOLINT
  }
  DevServer(const DevServer&) = delete;
  DevServer& operator=(const DevServer&) = delete;

  void start(const std::vector<std::string>& extra_args = {}) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> args = {devserver_binary(), "--port", "0", "--db", db_, "--seed", seed_path_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      std::_Exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
    char line[512];
    const std::string prefix = "listening on http://127.0.0.1:";
    while (out_ != nullptr && std::fgets(line, sizeof line, out_) != nullptr) {
      const std::string l(line);
      if (l.rfind(prefix, 0) == 0) {
        port_ = std::atoi(l.c_str() + prefix.size());
        return;
      }
    }
    throw std::runtime_error("cardinal-devserver did not start (" + devserver_binary() + ")");
  }

  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (out_ != nullptr) {
      std::fclose(out_);
      out_ = nullptr;
    }
  }

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] const std::string& db_path() const { return db_; }

 private:
  std::string dir_, seed_path_, db_;
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  int port_ = 0;
};

}  // namespace cardinal::testing
