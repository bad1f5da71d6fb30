// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// An application-provided HttpTransport: this one audits every request (method and path only)
// and delegates to CurlTransport. It also checks what the SDK hands it: the plaintext the
// application writes never appears in a request body.
//   custom_transport [path/to/cardinal-devserver]

#include <cardinal/curl_transport.hpp>
#include <cardinal/sdk.hpp>

#include "../common/local_backend.hpp"

#include <iostream>
#include <mutex>

namespace {

class AuditingTransport : public cardinal::HttpTransport {
 public:
  explicit AuditingTransport(std::shared_ptr<cardinal::HttpTransport> inner) : inner_(std::move(inner)) {}

  cardinal::Result<cardinal::HttpResponse> send(const cardinal::HttpRequest& request,
                                                const cardinal::CancellationToken& cancel) override {
    const std::string path = request.url.substr(request.url.find('/', request.url.find("//") + 2));
    {
      std::lock_guard lock(mutex_);  // the SDK may call from several threads
      ++requests_;
      if (request.body.find(watched_) != std::string::npos) leaked_ = true;
      std::cout << "  [transport] " << request.method << " " << path.substr(0, path.find('?')) << "\n";
    }
    return inner_->send(request, cancel);
  }
  void watch(std::string text) { watched_ = std::move(text); }
  [[nodiscard]] int requests() const { return requests_; }
  [[nodiscard]] bool leaked() const { return leaked_; }

 private:
  std::shared_ptr<cardinal::HttpTransport> inner_;
  std::mutex mutex_;
  std::string watched_ = "\x01";
  int requests_ = 0;
  bool leaked_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  examples::LocalBackend backend;
  if (!backend.start(argc > 1 ? argv[1] : CARDINAL_DEVSERVER_PATH)) return 1;
  auto curl = cardinal::CurlTransport::create();
  if (!curl.ok()) return 1;
  auto transport = std::make_shared<AuditingTransport>(*curl);
  const std::string secret_text = "Diagnosis: early-stage Parkinson's";
  transport->watch(secret_text);

  cardinal::SdkOptions o;
  o.base_url = backend.url();
  o.username = "alice";
  o.password = cardinal::SecretBytes::from_string("alice-pw");
  o.key_store = std::make_shared<cardinal::keys::InMemoryKeyStore>();
  o.strategies = std::make_shared<cardinal::BasicCryptoStrategies>();
  o.transport = transport;
  std::cout << "Alice signs in through the application's transport:\n";
  auto sdk = cardinal::CardinalSdk::initialize(std::move(o));
  if (!sdk.ok()) {
    std::cerr << sdk.error().to_string() << "\n";
    return 1;
  }
  std::cout << "Alice writes a record and reads it back:\n";
  auto he = (*sdk)->health_elements().create(cardinal::Json{{"descr", secret_text}});
  if (!he.ok()) return 1;
  auto back = (*sdk)->health_elements().get(he->entity["id"]);
  if (!back.ok() || back->entity["descr"] != secret_text) return 1;
  std::cout << transport->requests() << " requests went through the application's transport; the plaintext was "
            << (transport->leaked() ? "SENT (bug!)" : "never in a request body") << ".\n";
  if (transport->leaked() || transport->requests() == 0) return 1;
  std::cout << "custom_transport: the SDK worked through the application's transport.\n";
  return 0;
}
