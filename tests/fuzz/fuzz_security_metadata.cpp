// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Opening the security metadata of an arbitrary entity, with exchange data the reader can open.
#include "engine/entity_crypto.hpp"
#include "memory_exchange_data_source.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardinal;
  static cardinal::testing::MemoryExchangeDataSource source;
  static const auto ring = [] {
    auto r = std::make_shared<engine::KeyRing>();
    r->add("hcp-a", crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256).value(), true);
    return r;
  }();
  static engine::ExchangeDataManager manager("hcp-a", ring, source, 16, nullptr);
  static engine::EntityCrypto entities(manager, {"hcp-a"}, false, nullptr);
  static const std::string self_ed = [] {
    return manager.get_or_create_for_encryption("hcp-a", {}).value()->record.id;
  }();
  (void)self_ed;
  auto j = parse_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!j.ok()) return 0;
  (void)entities.open(*j, "HealthElement");
  return 0;
}
