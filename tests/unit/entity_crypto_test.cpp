// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/entity_crypto.hpp"

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>

#include "engine/json_encryption.hpp"
#include "memory_exchange_data_source.hpp"
#include "test_keys.hpp"
#include "test_util.hpp"

namespace cardinal::engine {
namespace {

using cardinal::testing::test_key;

// What the server does with a share request (enough of it for these tests).
void apply_share(Json& entity, const Json& request, testing::MemoryExchangeDataSource& source,
                 const std::string& parent) {
  const Json& share = request.at("share");
  const Bytes ack = crypto::hex_decode(share.at("accessControlKeys")[0].get<std::string>()).value();
  const std::string key = crypto::hex_encode(crypto::sha256(ack));
  Json d = Json::object();
  if (share.contains("explicitDelegator")) d["delegator"] = share["explicitDelegator"];
  if (share.contains("explicitDelegate")) d["delegate"] = share["explicitDelegate"];
  d["secretIds"] = share["secretIds"];
  d["encryptionKeys"] = share["encryptionKeys"];
  d["owningEntityIds"] = share["owningEntityIds"];
  d["parentDelegations"] = Json::array({parent});
  if (share.contains("exchangeDataId")) d["exchangeDataId"] = share["exchangeDataId"];
  d["permissions"] = share["requestedPermissions"] == "FULL_WRITE" ? "WRITE" : "READ";
  entity["securityMetadata"]["secureDelegations"][key] = d;
  if (share.contains("encryptedExchangeDataId")) {
    model::ExchangeDataMap m;
    m.id = key;
    for (const auto& [fp, v] : share["encryptedExchangeDataId"].items()) m.encrypted_exchange_data_ids[fp] = v;
    source.add_map(m);
  }
}

struct Party {
  Party(const std::string& id, int key, testing::MemoryExchangeDataSource& source, bool anonymous)
      : keys(std::make_shared<KeyRing>()),
        manager((keys->add(id, test_key(key), true), id), keys, source, 100,
                [this](const TamperReport& e) { events.push_back(e); }),
        crypto(manager, {id}, anonymous, [this](const TamperReport& e) { events.push_back(e); }) {}
  std::shared_ptr<KeyRing> keys;
  std::vector<TamperReport> events;
  ExchangeDataManager manager;
  EntityCrypto crypto;
};

TEST(EntityCrypto, CreateShareExplicitAndAnonymousThenDecrypt) {
  testing::MemoryExchangeDataSource source;
  Party alice("hcp-alice", 0, source, false);
  Party bob("hcp-bob", 1, source, false);
  Party pat("pat-1", 2, source, true);
  Party carol("hcp-carol", 3, source, false);

  auto manifest = EncryptedFieldsManifest::platform_default("HealthElement");
  ASSERT_OK(manifest);
  auto entity_key = crypto::AesKey::generate();
  ASSERT_OK(entity_key);
  Json he = parse_json(R"({"id":"he-1","rev":"1-x","descr":"Asthma","note":"inhaler","codes":[]})").value();
  auto metadata = alice.crypto.root_metadata("HealthElement", *entity_key, "secret-1", {"pat-1"});
  ASSERT_OK(metadata);
  he["securityMetadata"] = *metadata;
  auto encrypted = encrypt_json(he, *entity_key, *manifest);
  ASSERT_OK(encrypted);
  Json stored = *encrypted;
  const std::string root = stored["securityMetadata"]["secureDelegations"].begin().key();
  EXPECT_EQ(stored["securityMetadata"]["secureDelegations"][root]["permissions"], "WRITE");
  EXPECT_EQ(stored.dump().find("Asthma"), std::string::npos);

  auto access = alice.crypto.open(stored, "HealthElement");
  ASSERT_OK(access);
  EXPECT_TRUE(access->can_write);
  EXPECT_EQ(access->secret_ids, (std::set<std::string>{"secret-1"}));
  EXPECT_EQ(access->owning_entity_ids, (std::set<std::string>{"pat-1"}));

  // Share READ with bob (explicit) and with the patient (anonymous).
  auto to_bob = alice.crypto.share_request(stored, "HealthElement", *access, {"hcp-bob", false, AccessLevel::kRead},
                                           {test_key(1).public_key()});
  ASSERT_OK(to_bob);
  ASSERT_TRUE(to_bob->contains("share"));
  EXPECT_TRUE((*to_bob)["share"].contains("exchangeDataId"));
  apply_share(stored, *to_bob, source, root);
  auto to_pat = alice.crypto.share_request(stored, "HealthElement", *access, {"pat-1", true, AccessLevel::kRead},
                                           {test_key(2).public_key()});
  ASSERT_OK(to_pat);
  EXPECT_FALSE((*to_pat)["share"].contains("explicitDelegate"));
  EXPECT_FALSE((*to_pat)["share"].contains("exchangeDataId"));
  EXPECT_TRUE((*to_pat)["share"].contains("encryptedExchangeDataId"));
  apply_share(stored, *to_pat, source, root);
  // A second share to bob has nothing to add.
  auto again = alice.crypto.share_request(stored, "HealthElement", *access, {"hcp-bob", false, AccessLevel::kRead},
                                          {test_key(1).public_key()});
  ASSERT_OK(again);
  EXPECT_TRUE(again->is_null());

  for (Party* reader : {&bob, &pat, &alice}) {
    if (reader == &pat) ASSERT_OK(pat.manager.load_all());
    auto a = reader->crypto.open(stored, "HealthElement");
    ASSERT_OK(a);
    auto clear = decrypt_json(stored, a->key_pointers());
    ASSERT_OK(clear);
    // Only the creator holds the key through exchange data it made (and can verify).
    const Provenance expected = reader == &alice ? Provenance::kVerified : Provenance::kUnverified;
    ASSERT_EQ(a->keys.size(), 1u);
    EXPECT_EQ(a->keys.front().provenance, expected);
    EXPECT_EQ(a->any_verified, reader == &alice);
    EXPECT_EQ(a->verified_keys().size(), reader == &alice ? 1u : 0u);
    EXPECT_EQ((*clear)["descr"], "Asthma");
    EXPECT_EQ((*clear)["note"], "inhaler");
    EXPECT_TRUE(reader->events.empty()) << reader->events.front().error.to_string();
  }
  EXPECT_FALSE(bob.crypto.open(stored, "HealthElement")->can_write);
  EXPECT_ERROR_CODE(carol.crypto.open(stored, "HealthElement"), ErrorCode::kKeyNotAvailable);

  // The patient (anonymous) gets access control keys for its header.
  EXPECT_FALSE(pat.crypto.access_control_keys("HealthElement").empty());
}

TEST(EntityCrypto, GarbledDelegationValuesAreReportedNotFatal) {
  testing::MemoryExchangeDataSource source;
  Party alice("hcp-alice", 0, source, false);
  auto entity_key = crypto::AesKey::generate();
  ASSERT_OK(entity_key);
  auto metadata = alice.crypto.root_metadata("HealthElement", *entity_key, "s", {});
  ASSERT_OK(metadata);
  Json he = Json{{"id", "he-2"}, {"securityMetadata", *metadata}};
  const std::string root = he["securityMetadata"]["secureDelegations"].begin().key();
  // Replace the entity key entry with garbage of valid shape encrypted under another key.
  auto other = crypto::AesKey::generate();
  ASSERT_OK(other);
  auto junk = crypto::aes_cbc::encrypt(*other, as_bytes("Cure0123456789abcdef0123456789abcdef"));
  ASSERT_OK(junk);
  Json tampered = he;
  tampered["securityMetadata"]["secureDelegations"][root]["encryptionKeys"] =
      Json::array({crypto::base64_encode(*junk)});
  EXPECT_ERROR_CODE(alice.crypto.open(tampered, "HealthElement"), ErrorCode::kKeyNotAvailable);
  ASSERT_FALSE(alice.events.empty());
  EXPECT_EQ(alice.events.back().record_id, "he-2");
  // Wrong entity type: the delegation key does not derive; reported and not used.
  alice.events.clear();
  EXPECT_ERROR_CODE(alice.crypto.open(he, "Patient"), ErrorCode::kKeyNotAvailable);
  ASSERT_FALSE(alice.events.empty());
  EXPECT_EQ(alice.events.back().error.code(), ErrorCode::kTamperDetected);
  // Malformed metadata.
  Json bad = he;
  bad["securityMetadata"]["secureDelegations"] = "x";
  EXPECT_ERROR_CODE(alice.crypto.open(bad, "HealthElement"), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(alice.crypto.open(he, "NotAType"), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cardinal::engine
