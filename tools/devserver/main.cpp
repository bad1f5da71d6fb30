// cardinal-devserver --port N --db PATH [--seed SEED.json] [--max-body-bytes N] [--max-attachment-bytes N]
//                    [--insecure-test-admin] [--log-requests]
#include <atomic>
#include <csignal>
#include <ctime>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include <pthread.h>
#include <signal.h>

#include "server.hpp"

namespace {

void usage() {
  std::cerr << "usage: cardinal-devserver --port N --db PATH [--seed SEED.json] [--max-body-bytes N]\n"
               "                          [--max-attachment-bytes N] [--insecure-test-admin] [--log-requests]\n"
               "  --port 0 picks a free port; binds 127.0.0.1 only; --db :memory: keeps nothing.\n"
               "  --max-body-bytes: JSON request bodies (default 16 MiB); --max-attachment-bytes: attachment\n"
               "  uploads (default 2 GiB). Larger bodies get 413.\n";
}

bool parse_number(const std::string& text, unsigned long long max, unsigned long long& out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 18) return false;
  out = std::stoull(text);
  return out <= max;
}

}  // namespace

int main(int argc, char** argv) {
  devserver::Options options;
  bool have_port = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    unsigned long long n = 0;
    if (arg == "--port") {
      if (!parse_number(value(), 65535, n)) {
        std::cerr << "invalid --port\n";
        return 2;
      }
      options.port = static_cast<int>(n);
      have_port = true;
    } else if (arg == "--db") {
      options.db_path = value();
    } else if (arg == "--seed") {
      options.seed_path = value();
    } else if (arg == "--max-body-bytes") {
      if (!parse_number(value(), 1ull << 34, n) || n == 0) {
        std::cerr << "invalid --max-body-bytes\n";
        return 2;
      }
      options.max_body_bytes = static_cast<std::size_t>(n);
    } else if (arg == "--max-attachment-bytes") {
      if (!parse_number(value(), 1ull << 34, n) || n == 0) {
        std::cerr << "invalid --max-attachment-bytes\n";
        return 2;
      }
      options.max_attachment_bytes = static_cast<std::size_t>(n);
    } else if (arg == "--insecure-test-admin") {
      options.insecure_test_admin = true;
    } else if (arg == "--log-requests") {
      options.log_requests = true;
    } else if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else {
      std::cerr << "unknown argument " << arg << '\n';
      usage();
      return 2;
    }
  }
  if (!have_port || options.db_path.empty()) {
    usage();
    return 2;
  }

  // SIGINT/SIGTERM are blocked in every thread and collected by one waiter thread that stops the server.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    devserver::Server server(options);
    const int port = server.bind();
    std::atomic<bool> done{false};
    std::thread waiter([&] {
      const timespec tick{0, 100'000'000};
      bool stop_requested = false;
      bool stopped = false;
      while (!done.load()) {
        if (sigtimedwait(&signals, nullptr, &tick) > 0) stop_requested = true;
        // A signal that arrives before the server loop runs is kept until the loop can be stopped.
        if (stop_requested && !stopped) stopped = server.stop();
      }
    });
    std::cout << "listening on http://127.0.0.1:" << port << std::endl;
    server.run();
    done.store(true);
    waiter.join();
  } catch (const std::exception& e) {
    std::cerr << "cardinal-devserver: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
