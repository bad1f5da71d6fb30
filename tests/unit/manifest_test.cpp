// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/content/manifest.hpp>

#include "test_util.hpp"

namespace cardinal {
namespace {

TEST(Manifest, ParsesEveryRole) {
  auto m = EncryptedFieldsManifest::parse(
      {"descr", "notes[].markdown", "addr.street", "tags.*.label", "ins[].*", "grp.[\"a\",\"b.c\"]"});
  ASSERT_OK(m);
  EXPECT_EQ(m->fields(), (std::set<std::string>{"descr"}));
  EXPECT_EQ(m->array_items().at("notes").fields(), (std::set<std::string>{"markdown"}));
  EXPECT_EQ(m->nested().at("addr").fields(), (std::set<std::string>{"street"}));
  EXPECT_EQ(m->map_values().at("tags").fields(), (std::set<std::string>{"label"}));
  EXPECT_TRUE(m->array_items().at("ins").encrypts_everything());
  EXPECT_EQ(m->nested().at("grp").fields(), (std::set<std::string>{"a"}));
  EXPECT_EQ(m->nested().at("grp").nested().at("b").fields(), (std::set<std::string>{"c"}));
}

TEST(Manifest, RejectsBadEntries) {
  for (const auto& bad : std::vector<std::vector<std::string>>{{""},
                                                               {"1abc"},
                                                               {"a..b"},
                                                               {"a."},
                                                               {"a[]"},
                                                               {"a[]."},
                                                               {"a", "a.b"},
                                                               {"a.b", "a[].c"},
                                                               {"*", "a"},
                                                               {"a", "*"},
                                                               {"a-b"},
                                                               {"a.[1]"},
                                                               {"a.[\"b\""}}) {
    EXPECT_ERROR_CODE(EncryptedFieldsManifest::parse(bad), ErrorCode::kInvalidArgument);
  }
}

TEST(Manifest, PlatformDefaults) {
  auto he = EncryptedFieldsManifest::platform_default("HealthElement");
  ASSERT_OK(he);
  EXPECT_EQ(he->fields(), (std::set<std::string>{"descr", "note"}));
  EXPECT_EQ(he->array_items().at("careTeam").fields().size(), 3u);
  auto patient = EncryptedFieldsManifest::platform_default("Patient");
  ASSERT_OK(patient);
  EXPECT_TRUE(patient->fields().count("note"));
  EXPECT_TRUE(patient->array_items().at("insurabilities").encrypts_everything());
  auto doc = EncryptedFieldsManifest::platform_default("Document");
  ASSERT_OK(doc);
  EXPECT_EQ(doc->fields(), (std::set<std::string>{"medicalLocationId", "name"}));
  EXPECT_ERROR_CODE(EncryptedFieldsManifest::platform_default("Nope"), ErrorCode::kInvalidArgument);
  // The official SDK has no manifest for these: no silent "everything in clear".
  EXPECT_ERROR_CODE(EncryptedFieldsManifest::platform_default("Article"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(EncryptedFieldsManifest::platform_default("ClassificationTemplate"), ErrorCode::kInvalidArgument);
  // The Service manifest is the base one: `content` is added by the contact encryption.
  auto service = EncryptedFieldsManifest::platform_default("Service");
  ASSERT_OK(service);
  EXPECT_FALSE(service->mentions("content"));
}

TEST(Manifest, ExtendedAddsEntriesAndKeepsTheRules) {
  auto doc = EncryptedFieldsManifest::platform_default("Document");
  ASSERT_OK(doc);
  auto more = doc->extended({"hash", "notes[].markdown"});
  ASSERT_OK(more);
  EXPECT_TRUE(more->mentions("hash"));
  EXPECT_TRUE(more->mentions("notes"));
  EXPECT_FALSE(doc->mentions("hash"));  // the original is unchanged
  EXPECT_ERROR_CODE(doc->extended({"name.sub"}), ErrorCode::kInvalidArgument);  // two roles
  auto all = EncryptedFieldsManifest::parse({"*"});
  ASSERT_OK(all);
  EXPECT_ERROR_CODE(all->extended({"x"}), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cardinal
