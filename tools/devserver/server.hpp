// cardinal-devserver: HTTP routes and the backend semantics (auth, data owners, exchange data,
// exchange data maps, recovery data, encryptable entities with secure-delegation access control).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace devserver {

struct Options {
  int port = 0;
  std::string db_path;
  std::string seed_path;
  std::size_t max_body_bytes = 16u * 1024u * 1024u;  // JSON request bodies (larger: 413)
  std::size_t max_attachment_bytes = std::size_t{2} << 30;  // attachment uploads, 2 GiB (larger: 413)
  bool insecure_test_admin = false;
  bool log_requests = false;  // method + path + status on stderr (never headers or bodies)
};

class Server {
 public:
  explicit Server(Options options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds 127.0.0.1 (port 0 = any free port); returns the port. Throws on failure.
  int bind();
  // Serves until stop() is called.
  void run();
  // Stops a running server loop; returns false (and does nothing) if the loop is not running yet.
  // Thread-safe; may be called from another thread.
  bool stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace devserver
