// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The three-way merge and the revision cache behind EntityApi::modify's ConflictPolicy::kMerge.

#include "api/merge.hpp"

#include <gtest/gtest.h>

namespace cardinal::api {
namespace {

Json j(const char* text) { return Json::parse(text); }

TEST(ThreeWayMerge, DisjointChangesMergeAndTheSameChangeIsNoConflict) {
  const Json base = j(R"({"id":"x","rev":"1-a","descr":"d","note":"n","tags":[1]})");
  const Json mine = j(R"({"id":"x","rev":"1-a","descr":"mine","note":"same","tags":[1]})");
  const Json theirs = j(R"({"id":"x","rev":"2-b","descr":"d","note":"same","tags":[1,2],"added":true})");
  auto r = three_way_merge(base, mine, theirs);
  ASSERT_TRUE(r.conflicts.empty());
  EXPECT_EQ(r.merged, j(R"({"id":"x","rev":"2-b","descr":"mine","note":"same","tags":[1,2],"added":true})"));
}

TEST(ThreeWayMerge, BothChangingAFieldIsAConflictNamingIt) {
  const Json base = j(R"({"descr":"d","tags":[1],"note":"n"})");
  const Json mine = j(R"({"descr":"a","tags":[1,3],"note":"n"})");
  const Json theirs = j(R"({"descr":"b","tags":[1,2]})");
  auto r = three_way_merge(base, mine, theirs);
  EXPECT_EQ(r.conflicts, (std::vector<std::string>{"descr", "tags"}));  // arrays merge as a whole
}

TEST(ThreeWayMerge, DeletionsAndNestedObjects) {
  const Json base = j(R"({"a":{"x":1,"y":1},"gone":1,"kept":1})");
  const Json mine = j(R"({"a":{"x":2,"y":1},"kept":1})");          // changes a.x, deletes gone
  const Json theirs = j(R"({"a":{"x":1,"y":3},"gone":1,"kept":2})");  // changes a.y and kept
  auto r = three_way_merge(base, mine, theirs);
  ASSERT_TRUE(r.conflicts.empty());
  EXPECT_EQ(r.merged, j(R"({"a":{"x":2,"y":3},"kept":2})"));
  // Deleted on one side, changed on the other: a conflict on that path.
  auto c = three_way_merge(j(R"({"a":{"x":1}})"), j(R"({"a":{}})"), j(R"({"a":{"x":5}})"));
  EXPECT_EQ(c.conflicts, std::vector<std::string>{"a.x"});
}

TEST(ThreeWayMerge, KeyOrderIsNotAChange) {
  const Json base = j(R"({"a":{"x":1,"y":2},"b":1})");
  const Json mine = j(R"({"b":2,"a":{"y":2,"x":1}})");
  const Json theirs = j(R"({"a":{"x":1,"y":5},"b":1})");
  auto r = three_way_merge(base, mine, theirs);
  ASSERT_TRUE(r.conflicts.empty());
  EXPECT_EQ(r.merged, j(R"({"a":{"x":1,"y":5},"b":2})"));
}

TEST(ThreeWayMerge, ManagedFieldsComeFromTheCurrentVersion) {
  const Json base = j(R"({"rev":"1","securityMetadata":{"k":1},"encryptedSelf":"old"})");
  const Json mine = j(R"({"rev":"1","securityMetadata":{"k":0},"encryptedSelf":"mine"})");
  const Json theirs = j(R"({"rev":"2","securityMetadata":{"k":2},"encryptedSelf":"theirs"})");
  auto r = three_way_merge(base, mine, theirs);
  ASSERT_TRUE(r.conflicts.empty());
  EXPECT_EQ(r.merged, theirs);
}

TEST(RevisionCache, KeepsTheLastEntriesByTypeIdAndRev) {
  RevisionCache cache(2);
  cache.put("HealthElement", "a", "1", j(R"({"v":1})"));
  cache.put("HealthElement", "a", "2", j(R"({"v":2})"));
  EXPECT_EQ(cache.get("HealthElement", "a", "1"), j(R"({"v":1})"));  // now most recent
  cache.put("Patient", "a", "1", j(R"({"v":3})"));                   // evicts a@2
  EXPECT_FALSE(cache.get("HealthElement", "a", "2").has_value());
  EXPECT_EQ(cache.get("Patient", "a", "1"), j(R"({"v":3})"));
  EXPECT_EQ(cache.get("HealthElement", "a", "1"), j(R"({"v":1})"));
  EXPECT_FALSE(cache.get("HealthElement", "b", "1").has_value());
}

TEST(RevisionCache, KeepsWhatAMergeReadsOnly) {
  RevisionCache cache(2);
  const Json read = j(R"({"id":"a","rev":"1","descr":"x","note":"n","encryptedSelf":"e1",
                          "securityMetadata":{"secureDelegations":{"k":{"delegator":"h"}}}})");
  cache.put("HealthElement", "a", "1", read);
  auto base = cache.get("HealthElement", "a", "1");
  ASSERT_TRUE(base.has_value());
  EXPECT_EQ(*base, j(R"({"id":"a","descr":"x","note":"n"})"));
  // The merge on the kept base is the merge on what was read.
  const Json mine = j(R"({"id":"a","rev":"1","descr":"mine","note":"n","encryptedSelf":"e1",
                          "securityMetadata":{"secureDelegations":{"k":{"delegator":"h"}}}})");
  const Json theirs = j(R"({"id":"a","rev":"2","descr":"x","note":"theirs","encryptedSelf":"e2",
                            "securityMetadata":{"secureDelegations":{"k":{},"k2":{}}}})");
  const auto with_kept = three_way_merge(*base, mine, theirs);
  const auto with_read = three_way_merge(read, mine, theirs);
  EXPECT_TRUE(with_kept.conflicts.empty());
  EXPECT_EQ(with_kept.merged, with_read.merged);
  EXPECT_EQ(with_kept.merged, j(R"({"id":"a","rev":"2","descr":"mine","note":"theirs","encryptedSelf":"e2",
                                    "securityMetadata":{"secureDelegations":{"k":{},"k2":{}}}})"));
}

}  // namespace
}  // namespace cardinal::api
