// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Runs a real cardinal-devserver process for a test: `--port 0`, reads the "listening on" line
// (bounded wait), stops it with SIGTERM (SIGKILL after 15 s) on stop() or destruction.
// Independent of the SDK library (the devserver's own tests use it too). Not thread-safe: one
// owner per instance; the process and its temporary folder belong to the instance.

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace cardinal::testing {

/// The binary: $CARDINAL_DEVSERVER, else the build's CARDINAL_DEVSERVER_BIN, else the PATH.
inline std::string devserver_binary() {
  if (const char* env = std::getenv("CARDINAL_DEVSERVER")) return env;
#ifdef CARDINAL_DEVSERVER_BIN
  return CARDINAL_DEVSERVER_BIN;
#else
  return "cardinal-devserver";
#endif
}

/// A seed with users alice, bob, carol (HCPs) and pat (a patient), password "pw".
inline nlohmann::ordered_json default_seed() {
  return nlohmann::ordered_json::parse(R"({"users":[
    {"login":"alice","password":"pw","dataOwner":{"type":"hcp","id":"hcp-alice","firstName":"Alice","lastName":"A"}},
    {"login":"bob","password":"pw","dataOwner":{"type":"hcp","id":"hcp-bob","firstName":"Bob","lastName":"B"}},
    {"login":"carol","password":"pw","dataOwner":{"type":"hcp","id":"hcp-carol","firstName":"Carol","lastName":"C"}},
    {"login":"pat","password":"pw","dataOwner":{"type":"patient","id":"pat-1","firstName":"Pat","lastName":"P"}}]})");
}

/// An existing seed file, passed as is (restarts on the same file keep seeded users).
struct SeedFile {
  std::filesystem::path path;
};

class DevServer {
 public:
  /// `db`: a file path, ":memory:", or ":tmpfile:" (a file in the server's temporary folder).
  /// Throws on failure (test setup only).
  explicit DevServer(std::string db = ":memory:", const nlohmann::ordered_json& seed = default_seed(),
                     std::vector<std::string> extra_args = {}) {
    make_dir();
    seed_path_ = dir_ + "/seed.json";
    std::ofstream(seed_path_) << seed.dump();
    db_ = db == ":tmpfile:" ? dir_ + "/db.sqlite" : std::move(db);
    start(extra_args);
  }
  DevServer(std::string db, SeedFile seed, std::vector<std::string> extra_args = {}) {
    make_dir();
    seed_path_ = seed.path.string();
    db_ = db == ":tmpfile:" ? dir_ + "/db.sqlite" : std::move(db);
    start(extra_args);
  }
  ~DevServer() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  DevServer(const DevServer&) = delete;
  DevServer& operator=(const DevServer&) = delete;

  /// Starts the process (again, after stop(): same database and seed). Throws when it does not
  /// print its "listening on" line within 20 s.
  void start(const std::vector<std::string>& extra_args = {}) {
    std::vector<std::string> args = {devserver_binary(), "--port", "0", "--db", db_, "--seed", seed_path_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
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
    out_fd_ = fds[0];
    try {
      read_listening_line();
    } catch (...) {
      stop();  // never leave a process behind
      throw;
    }
  }

  /// SIGTERM, then wait (up to 15 s, then SIGKILL); returns the exit status (-1 if killed).
  int stop() {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300; ++i) {  // sanitizer builds on a busy machine are slow
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return finish();
      }
      usleep(50'000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    exit_status_ = -1;
    return finish();
  }

  [[nodiscard]] int port() const { return port_; }
  /// The running process (-1 when stopped): benchmarks read its CPU time and peak RSS in /proc.
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] const std::string& db_path() const { return db_; }
  /// The first line the server printed ("listening on http://127.0.0.1:PORT").
  [[nodiscard]] const std::string& first_line() const { return first_line_; }

 private:
  void make_dir() {
    std::string templ = (std::filesystem::temp_directory_path() / "cardinal-devserver-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
  }

  void read_listening_line() {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw std::runtime_error("cardinal-devserver did not print its port in time");
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[256];
      const ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("cardinal-devserver exited before listening (" + devserver_binary() + ")");
      line.append(buf, static_cast<std::size_t>(n));
    }
    first_line_ = line.substr(0, line.find('\n'));
    const std::string prefix = "listening on http://127.0.0.1:";
    if (first_line_.rfind(prefix, 0) != 0) throw std::runtime_error("unexpected first line: " + first_line_);
    port_ = std::stoi(first_line_.substr(prefix.size()));
  }

  int finish() {
    pid_ = -1;
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
    return exit_status_;
  }

  std::string dir_, seed_path_, db_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
  std::string first_line_;
};

}  // namespace cardinal::testing
