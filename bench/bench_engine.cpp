// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The engine's hot paths, without network: entity encrypt/decrypt, bulk decryption through
// cached exchange data (counting RSA openings), and streamed attachments in bounded memory.

#include <cardinal/crypto/aes.hpp>

#include "engine/access_control.hpp"
#include "engine/delegation_crypto.hpp"
#include "engine/entity_crypto.hpp"
#include "engine/json_encryption.hpp"
#include "memory_exchange_data_source.hpp"

#include <benchmark/benchmark.h>
#include <sys/resource.h>

namespace {
using namespace cardinal;
using namespace cardinal::engine;

const crypto::RsaPrivateKey& key(int i) {
  static std::vector<crypto::RsaPrivateKey> keys = [] {
    std::vector<crypto::RsaPrivateKey> v;
    for (int n = 0; n < 2; ++n)
      v.push_back(crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256).value());
    return v;
  }();
  return keys[static_cast<std::size_t>(i)];
}

Json health_element_2kb() {
  Json he = parse_json(R"({"id":"he-1","rev":"1-a","healthElementId":"he-1","valueDate":20240101,"status":0,
    "codes":[{"type":"ICD","code":"I10","version":"10"}],"tags":[{"type":"CD-ITEM","code":"healthissue"}],
    "careTeam":[{"healthcarePartyId":"hcp-1","quality":"doctor","careTeamMemberType":"physician"}],
    "episodes":[{"id":"ep-1","name":"first episode","comment":"stable"}]})")
                .value();
  he["descr"] = std::string(600, 'd');
  he["note"] = std::string(600, 'n');
  he["notes"] = Json::array({Json{{"markdown", std::string(500, 'm')}, {"author", "hcp-1"}}});
  return he;
}

void BM_HealthElementEncryptDecrypt2KB(benchmark::State& state) {
  cardinal::testing::MemoryExchangeDataSource source;
  auto ring = std::make_shared<KeyRing>();
  ring->add("hcp-a", key(0), true);
  ExchangeDataManager manager("hcp-a", ring, source, 500, nullptr);
  EntityCrypto entities(manager, {"hcp-a"}, false, nullptr);
  const auto manifest = EncryptedFieldsManifest::platform_default("HealthElement").value();
  const Json clear = health_element_2kb();
  for (auto _ : state) {
    auto entity_key = crypto::AesKey::generate().value();
    Json he = clear;
    he["securityMetadata"] = entities.root_metadata("HealthElement", entity_key, "sid", {"pat-1"}).value();
    Json enc = encrypt_json(std::move(he), entity_key, manifest).value();  // as the SDK does with new content
    auto access = entities.open(enc, "HealthElement").value();
    auto dec = decrypt_json(std::move(enc), access.key_pointers());  // as the SDK does with a stored entity
    benchmark::DoNotOptimize(dec);
  }
  state.counters["json_bytes"] = static_cast<double>(clear.dump().size());
}
BENCHMARK(BM_HealthElementEncryptDecrypt2KB)->Unit(benchmark::kMicrosecond);

// 10 000 HealthElements shared to "hcp-reader" through 100 exchange data (100 writers).
std::vector<Json> shared_10k(cardinal::testing::MemoryExchangeDataSource& source) {
  const auto manifest = EncryptedFieldsManifest::platform_default("HealthElement").value();
  std::vector<Json> stored;
  {
    // 100 writers share with one reader; each writer shares 100 entities.
    auto reader_pub = key(1).public_key();
    for (int w = 0; w < 100; ++w) {
      const std::string writer = "hcp-w" + std::to_string(w);
      auto ring = std::make_shared<KeyRing>();
      ring->add(writer, key(0), true);
      ExchangeDataManager manager(writer, ring, source, 10, nullptr);
      auto ed = manager.get_or_create_for_encryption("hcp-reader", {reader_pub}).value();
      for (int e = 0; e < 100; ++e) {
        auto entity_key = crypto::AesKey::generate().value();
        Json he = Json{{"id", writer + "-" + std::to_string(e)}, {"descr", "diagnosis"}, {"note", "n"}};
        const auto ack = access_control_key(ed->secrets.access_control_secret, "HealthElement").value();
        Json d = Json{
            {"delegator", writer},
            {"delegate", "hcp-reader"},
            {"encryptionKeys",
             Json::array({encrypt_delegation_value(ed->secrets.exchange_key, entity_key.secret().reveal()).value()})},
            {"exchangeDataId", ed->record.id},
            {"permissions", "READ"}};
        he["securityMetadata"]["secureDelegations"][secure_delegation_key(ack.reveal())] = d;
        stored.push_back(encrypt_json(he, entity_key, manifest).value());
      }
    }
  }
  return stored;
}

// 10 000 entities shared to the reader through 100 exchange data: a fresh reader (cold cache)
// decrypts them all, each from a const entity (decrypt_json copies it). Reports RSA openings
// (expected: 100).
void BM_Decrypt10kEntitiesThrough100ExchangeData(benchmark::State& state) {
  cardinal::testing::MemoryExchangeDataSource source;
  const std::vector<Json> stored = shared_10k(source);
  std::size_t openings = 0;
  for (auto _ : state) {
    auto ring = std::make_shared<KeyRing>();
    ring->add("hcp-reader", key(1), true);
    ExchangeDataManager manager("hcp-reader", ring, source, 500, nullptr);
    EntityCrypto entities(manager, {"hcp-reader"}, false, nullptr);
    for (const auto& e : stored) {
      auto access = entities.open(e, "HealthElement").value();
      auto clear = decrypt_json(e, access.key_pointers());
      benchmark::DoNotOptimize(clear);
    }
    openings = manager.openings();
  }
  state.counters["entities"] = static_cast<double>(stored.size());
  state.counters["rsa_openings"] = static_cast<double>(openings);
}
BENCHMARK(BM_Decrypt10kEntitiesThrough100ExchangeData)->Unit(benchmark::kMillisecond)->Iterations(3);

// The same, from entities the decryption may consume, as the SDK's get/get_many/create do with the
// server's answer (SdkCore::decrypt(Json&&)): no copy. The copies handed over are made untimed.
void BM_Decrypt10kOwnedEntitiesThrough100ExchangeData(benchmark::State& state) {
  cardinal::testing::MemoryExchangeDataSource source;
  const std::vector<Json> stored = shared_10k(source);
  std::size_t openings = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Json> owned = stored;
    auto ring = std::make_shared<KeyRing>();
    ring->add("hcp-reader", key(1), true);
    ExchangeDataManager manager("hcp-reader", ring, source, 500, nullptr);
    EntityCrypto entities(manager, {"hcp-reader"}, false, nullptr);
    state.ResumeTiming();
    for (auto& e : owned) {
      auto access = entities.open(e, "HealthElement").value();
      auto clear = decrypt_json(std::move(e), access.key_pointers());
      benchmark::DoNotOptimize(clear);
    }
    openings = manager.openings();
  }
  state.counters["entities"] = static_cast<double>(stored.size());
  state.counters["rsa_openings"] = static_cast<double>(openings);
}
BENCHMARK(BM_Decrypt10kOwnedEntitiesThrough100ExchangeData)->Unit(benchmark::kMillisecond)->Iterations(3);

// The RSA share of the two benchmarks above: a fresh reader decrypts only the first entity of each
// of the 100 exchange data (100 RSA openings, 100 entities). Per entity beyond RSA =
// (time of a 10k benchmark − this one) / 9 900.
void BM_Decrypt100EntitiesOnePerExchangeData(benchmark::State& state) {
  cardinal::testing::MemoryExchangeDataSource source;
  const std::vector<Json> stored = shared_10k(source);
  std::vector<Json> firsts;
  for (std::size_t i = 0; i < stored.size(); i += 100) firsts.push_back(stored[i]);
  std::size_t openings = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Json> owned = firsts;
    auto ring = std::make_shared<KeyRing>();
    ring->add("hcp-reader", key(1), true);
    ExchangeDataManager manager("hcp-reader", ring, source, 500, nullptr);
    EntityCrypto entities(manager, {"hcp-reader"}, false, nullptr);
    state.ResumeTiming();
    for (auto& e : owned) {
      auto access = entities.open(e, "HealthElement").value();
      auto clear = decrypt_json(std::move(e), access.key_pointers());
      benchmark::DoNotOptimize(clear);
    }
    openings = manager.openings();
  }
  state.counters["entities"] = static_cast<double>(firsts.size());
  state.counters["rsa_openings"] = static_cast<double>(openings);
}
BENCHMARK(BM_Decrypt100EntitiesOnePerExchangeData)->Unit(benchmark::kMillisecond)->Iterations(3);

long max_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// A 1 GiB attachment encrypted then decrypted through the streaming API in the SDK's 64 KiB
// chunks (sdk_core's upload buffer). The process's peak RSS growth during the run is reported
// (goal: < 32 MB); bytes_per_second counts the GiB once for both directions, to compare with
// 1 / (1 / openssl-encrypt + 1 / openssl-decrypt) at 1 MiB (bench/RESULTS.md).
void BM_Attachment1GiBStreamed(benchmark::State& state) {
  const auto k = crypto::AesKey::generate().value();
  const std::size_t total = std::size_t{1} << 30;
  const Bytes chunk(std::size_t{64} << 10, 0x5a);
  const long rss_before = max_rss_kb();
  for (auto _ : state) {
    auto enc = crypto::aes_cbc::StreamEncryptor::create(k).value();
    auto dec = crypto::aes_cbc::StreamDecryptor::create(k).value();
    std::size_t out = 0;
    for (std::size_t done = 0; done < total; done += chunk.size()) {
      Bytes ct = enc.update(chunk).value();
      out += dec.update(ct).value().size();
    }
    Bytes last = enc.finish().value();
    out += dec.update(last).value().size();
    out += dec.finish().value().size();
    if (out != total) state.SkipWithError("size mismatch");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total));
  state.counters["peak_rss_growth_MB"] = static_cast<double>(max_rss_kb() - rss_before) / 1024.0;
}
BENCHMARK(BM_Attachment1GiBStreamed)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
