// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// A custom transport: the application gives the SDK its own `cardinal::HttpTransport` (here a
// wrapper that logs and counts every request, then delegates to `CurlTransport`; it could be the
// application's HTTP stack, a proxy, or a test double). The SDK works through it unchanged, and
// what the transport carries is ciphertext: the medical text written never appears in a body.
//
//   custom_transport [path/to/cardinal-devserver]

#include "../common/example_support.hpp"

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/http/curl_transport.hpp>
#include <cardinal/sdk.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace {

using cardinal::Json;
using example::check;
using example::claim;

/// Logs "METHOD /path" of each request (never headers: they carry the access token), counts
/// requests, and remembers whether any request or response body contained a watched word.
class LoggingTransport : public cardinal::HttpTransport {
 public:
  LoggingTransport(std::shared_ptr<cardinal::HttpTransport> next, std::vector<std::string> watched)
      : next_(std::move(next)), watched_(std::move(watched)) {}

  cardinal::Result<cardinal::HttpResponse> send(const cardinal::HttpRequest& request,
                                                const cardinal::CancellationToken& cancel) override {
    const std::string path = path_of(request.url);
    auto response = next_->send(request, cancel);  // the SDK may call send from several threads
    const std::lock_guard lock(mutex_);
    ++count_;
    ++by_route_[request.method + " " + route_of(path)];
    leaked_ = leaked_ || contains_watched(request.body) || (response.ok() && contains_watched(response->body));
    bodies_.push_back(request.body);
    if (response.ok()) bodies_.push_back(response->body);
    if (verbose_) {
      std::cout << "     → " << request.method << " " << path << " (" << request.body.size() << " bytes) ← "
                << (response.ok() ? std::to_string(response->status) : response.error().to_string()) << "\n";
    }
    return response;
  }

  void set_verbose(bool verbose) {
    const std::lock_guard lock(mutex_);
    verbose_ = verbose;
  }
  int count() const {
    const std::lock_guard lock(mutex_);
    return count_;
  }
  bool leaked() const {
    const std::lock_guard lock(mutex_);
    return leaked_;
  }
  /// Whether any body it carried, either way, contains `text`.
  bool carried(const std::string& text) const {
    const std::lock_guard lock(mutex_);
    for (const auto& b : bodies_) {
      if (b.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::map<std::string, int> by_route() const {
    const std::lock_guard lock(mutex_);
    return by_route_;
  }

 private:
  static std::string path_of(const std::string& url) {
    const auto scheme = url.find("://");
    const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    std::string path = slash == std::string::npos ? "/" : url.substr(slash);
    const auto query = path.find('?');
    return query == std::string::npos ? path : path.substr(0, query);
  }
  // "/rest/v2/helement/3363…-47e2…" → "/rest/v2/helement/{id}": ids grouped for the summary.
  static std::string route_of(const std::string& path) {
    const auto last = path.rfind('/');
    const std::string tail = path.substr(last + 1);
    const bool looks_like_id = tail.find_first_of("0123456789") != std::string::npos;
    return looks_like_id ? path.substr(0, last + 1) + "{id}" : path;
  }
  bool contains_watched(const std::string& body) const {
    for (const auto& w : watched_) {
      if (body.find(w) != std::string::npos) return true;
    }
    return false;
  }

  std::shared_ptr<cardinal::HttpTransport> next_;
  std::vector<std::string> watched_;
  mutable std::mutex mutex_;
  int count_ = 0;
  bool leaked_ = false;
  bool verbose_ = true;
  std::map<std::string, int> by_route_;
  std::vector<std::string> bodies_;  // ciphertext and metadata only, as the checks below show
};

/// Whether `transport` carried any part of `owner`'s private keys (hex or base64 of the PKCS#8 DER).
bool private_key_crossed(const LoggingTransport& transport, cardinal::keys::KeyStore& store, const std::string& owner) {
  auto keys = store.keys_of(owner);
  if (!keys.ok() || keys->empty()) return true;  // cannot check: count it as a failure
  for (const auto& k : *keys) {
    auto der = k.key.pkcs8_der();
    if (!der.ok()) return true;
    // A 48-character window from the middle of each encoding (the private part, not the header).
    const std::string hex = cardinal::crypto::hex_encode(der->reveal());
    const std::string b64 = cardinal::crypto::base64_encode(der->reveal());
    if (transport.carried(hex.substr(hex.size() / 2, 48)) || transport.carried(b64.substr(b64.size() / 8 * 4, 48))) {
      return true;
    }
  }
  return false;
}

std::unique_ptr<cardinal::CardinalSdk> sign_in(const std::string& url, const std::string& login,
                                               std::shared_ptr<cardinal::HttpTransport> transport,
                                               std::shared_ptr<cardinal::keys::KeyStore> store) {
  cardinal::SdkOptions o;
  o.base_url = url;
  o.username = login;
  o.password = cardinal::SecretBytes::from_string(login + "-pw");
  o.key_store = std::move(store);
  // Basic strategies trust every delegate key: fine for this transport demo, not for production
  // (see the key_verification example).
  o.strategies = std::make_shared<cardinal::BasicCryptoStrategies>();
  o.transport = std::move(transport);
  return check(cardinal::CardinalSdk::initialize(std::move(o)), login + " signs in");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string binary = argc > 1 ? argv[1] : CARDINAL_DEVSERVER_PATH;
  std::cout << "cardinal-cpp example: a custom HTTP transport\n=============================================\n\n";
  example::LocalBackend backend;
  if (!backend.start(binary, R"({"users":[
    {"login":"alice","password":"alice-pw","dataOwner":{"type":"hcp","id":"hcp-alice","firstName":"Alice","lastName":"Martin"}},
    {"login":"bob","password":"bob-pw","dataOwner":{"type":"hcp","id":"hcp-bob","firstName":"Bob","lastName":"Dupont"}}]})")) {
    std::cerr << "cannot start the local backend (" << binary << ")\n";
    return 1;
  }
  std::cout << "1. A local backend runs at " << backend.url() << ".\n\n";

  // The words of the record; none may cross the transport in clear, in either direction.
  const std::string descr = "Type 1 diabetes";
  const std::string note = "Insulin pump since 2019; hypoglycaemia episodes at night";
  auto curl = check(cardinal::CurlTransport::create(), "curl transport");
  auto transport = std::make_shared<LoggingTransport>(curl, std::vector<std::string>{"diabetes", "Insulin", "hypoglyc"});

  std::cout << "2. Dr Alice's SDK is given the application's LoggingTransport (SdkOptions::transport).\n"
            << "   Every request it makes goes through it (method and path shown; headers never):\n";
  auto alice_keys = std::make_shared<cardinal::keys::InMemoryKeyStore>();
  auto alice = sign_in(backend.url(), "alice", transport, alice_keys);
  std::cout << "\n3. Dr Alice writes a record and shares it with Dr Bob:\n";
  cardinal::CreateOptions to_bob;
  to_bob.share_with = {{"hcp-bob", cardinal::AccessLevel::kRead}};
  // Bob must exist with a key before Alice can share with him: his SDK signs in quietly first.
  transport->set_verbose(false);
  auto bob_keys = std::make_shared<cardinal::keys::InMemoryKeyStore>();
  auto bob = sign_in(backend.url(), "bob", transport, bob_keys);
  transport->set_verbose(true);
  auto he = check(alice->health_elements().create(Json{{"descr", descr}, {"note", note}}, to_bob), "Alice creates");
  const std::string id = he.entity["id"];

  std::cout << "\n4. Dr Bob reads it back through the same transport:\n";
  auto by_bob = check(bob->health_elements().get(id), "Bob reads");
  std::cout << "   Dr Bob reads: \"" << by_bob.entity.value("descr", "") << "\" — " << by_bob.entity.value("note", "")
            << "\n\n";

  std::cout << "5. What the transport saw (" << transport->count() << " requests):\n";
  for (const auto& [route, n] : transport->by_route()) std::cout << "     " << n << " × " << route << "\n";
  claim(transport->count() > 0, "the SDK sent every request through the application's transport");
  claim(by_bob.entity.value("descr", "") == descr && by_bob.entity.value("note", "") == note,
        "the record round-trips intact through it");
  claim(!transport->leaked(),
        "no request or response body it carried contains the medical text (only ciphertext crosses it)");

  // A control for the check below: the same search does find Alice's public key, which is published.
  const auto alice_public = check(alice_keys->keys_of("hcp-alice"), "Alice's keys").at(0).key.public_key().spki_hex();
  claim(transport->carried(alice_public.substr(alice_public.size() / 2, 48)),
        "it carried Alice's public key when she published it (so the search below does look at the right place)");
  claim(!private_key_crossed(*transport, *alice_keys, "hcp-alice") &&
            !private_key_crossed(*transport, *bob_keys, "hcp-bob"),
        "no part of Alice's or Bob's private key crossed it (only public keys are published)");
  std::cout << "   (the login request does carry the account password to the server, as any password login does)\n";

  const Json stored = example::admin(*curl, backend.url(), "GET", "health_elements/" + id);
  claim(stored.contains("encryptedSelf") && !stored.contains("note"),
        "the server stores the fields encrypted (encryptedSelf), not in clear");
  std::cout << "\nDone: the SDK worked through the application's transport, which only ever carried ciphertext.\n";
  return 0;
}
