// Test support for the devserver's own tests: a small JSON client over cpp-httplib, hashes and
// deterministic access control keys, the devserver tests' seed. The process runner is
// tests/support/devserver_process.hpp. Independent of the SDK library on purpose.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "devserver_process.hpp"

namespace devserver_test {

using json = nlohmann::json;
using cardinal::testing::DevServer;
using cardinal::testing::SeedFile;

inline std::string hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

inline std::string sha256(const std::string& data) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return {reinterpret_cast<const char*>(md), len};
}

inline std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// 16 pseudo-random bytes derived from a label (deterministic test access control keys).
inline std::string ack_bytes(const std::string& label) { return sha256("ack:" + label).substr(0, 16); }
inline std::string ack_hex(const std::string& label) { return hex(ack_bytes(label)); }
// Secure delegation key = hex(sha256(16 access control key bytes)).
inline std::string sd_key(const std::string& label) { return hex(sha256(ack_bytes(label))); }

inline std::filesystem::path make_temp_dir(const std::string& prefix) {
  std::string templ = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return templ;
}

inline json default_seed() {
  return json::parse(R"({"users":[
    {"login":"alice","password":"alice-pw","dataOwner":{"type":"hcp","id":"hcp-alice","firstName":"Alice","lastName":"Test"}},
    {"login":"bob","password":"bob-pw","dataOwner":{"type":"hcp","id":"hcp-bob","firstName":"Bob","lastName":"Test"}},
    {"login":"carol","password":"carol-pw","dataOwner":{"type":"hcp","id":"hcp-carol","firstName":"Carol","lastName":"Test"}},
    {"login":"pat","password":"pat-pw","dataOwner":{"type":"patient","id":"pat-1","firstName":"Pat","lastName":"Test"}},
    {"login":"org","password":"org-pw","dataOwner":{"type":"hcp","id":"hcp-org","name":"Clinic"}},
    {"login":"child","password":"child-pw","dataOwner":{"type":"hcp","id":"hcp-child","firstName":"Chi","parentId":"hcp-org"}}
  ]})");
}

struct Response {
  int status = 0;
  std::string raw;
  json body;
};

class Client {
 public:
  explicit Client(int port) : http_("127.0.0.1", port) {
    http_.set_connection_timeout(10);
    http_.set_read_timeout(30);
    http_.set_keep_alive(true);
    http_.set_tcp_nodelay(true);
  }

  Response request(const std::string& method, const std::string& path, const std::optional<std::string>& body = std::nullopt,
                   httplib::Headers headers = {}, const std::string& content_type = "application/json") {
    if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
    httplib::Result r = [&] {
      if (method == "GET") return http_.Get(path, headers);
      if (method == "DELETE") return http_.Delete(path, headers);
      const std::string b = body.value_or("");
      if (method == "POST") return http_.Post(path, headers, b, content_type);
      if (method == "PUT") return http_.Put(path, headers, b, content_type);
      throw std::runtime_error("unsupported method");
    }();
    Response out;
    if (!r) {
      out.status = -1;
      out.raw = "transport error: " + httplib::to_string(r.error());
      return out;
    }
    out.status = r->status;
    out.raw = r->body;
    out.body = json::parse(r->body, nullptr, false);
    return out;
  }

  Response get(const std::string& path, httplib::Headers h = {}) { return request("GET", path, std::nullopt, std::move(h)); }
  Response del(const std::string& path) { return request("DELETE", path); }
  Response post(const std::string& path, const json& body, httplib::Headers h = {}) {
    return request("POST", path, body.dump(), std::move(h));
  }
  Response put(const std::string& path, const json& body, httplib::Headers h = {}) {
    return request("PUT", path, body.dump(), std::move(h));
  }

  // Logs in and keeps the token for later calls. Returns the login response.
  Response login(const std::string& user, const std::string& password) {
    token_.clear();
    Response r = post("/rest/v2/auth/login", json{{"username", user}, {"password", password}});
    if (r.status == 200 && r.body.is_object() && r.body.contains("token")) {
      token_ = r.body["token"].get<std::string>();
      refresh_ = r.body.value("refreshToken", "");
    }
    return r;
  }

  void set_token(std::string t) { token_ = std::move(t); }
  const std::string& token() const { return token_; }
  const std::string& refresh_token() const { return refresh_; }

 private:
  httplib::Client http_;
  std::string token_;
  std::string refresh_;
};

}  // namespace devserver_test
