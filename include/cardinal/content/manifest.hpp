// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Encrypted-fields manifests: which fields of an entity go into its `encryptedSelf`.
///
/// Grammar of one entry (the platform's):
/// `field` | `field.sub` (nested object) | `field.*.sub` (each value of a map) |
/// `field[].sub` (each element of an array of objects) | `prefix*` (whole object, e.g. `*` alone
/// or `insurabilities[].*`) | `prefix["a","b.c"]` (grouping). A field name plays one role only.
///
/// Thread safety: manifests are immutable values; share them freely between threads.
///
/// Ownership: a manifest is a plain value (copyable) that owns its entries; `extended` returns a
/// new manifest and leaves this one unchanged.

#include <cardinal/export.hpp>
#include <cardinal/result.hpp>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cardinal {

/// A parsed encrypted-fields manifest (see the file documentation for the grammar).
class CARDINAL_EXPORT EncryptedFieldsManifest {
 public:
  /// Parses a list of entries. Errors: kInvalidArgument (syntax, a name in two roles, `*` mixed
  /// with other fields at one level).
  static Result<EncryptedFieldsManifest> parse(const std::vector<std::string>& entries);

  /// The platform's default manifest of an entity type ("HealthElement", "Patient", "Document",
  /// "Contact", "Service", "Message", …), as the official SDK configures it. "Service" is the
  /// base manifest of the services nested in a Contact (their `content` is added automatically,
  /// see docs/entity-fields.md).
  /// Errors: kInvalidArgument for a type the platform has no manifest for: unknown types, and
  /// "Article" / "ClassificationTemplate" (the official SDK does not encrypt them; pass your own
  /// manifest rather than store their content in clear by accident).
  static Result<EncryptedFieldsManifest> platform_default(std::string_view entity_type);

  /// A copy of this manifest with more entries (same grammar and errors as `parse`).
  [[nodiscard]] Result<EncryptedFieldsManifest> extended(const std::vector<std::string>& entries) const;

  /// Whether `name` plays any role at this level (encrypted field, nested object, map or array).
  [[nodiscard]] bool mentions(const std::string& name) const noexcept {
    return fields_.count(name) != 0 || nested_.count(name) != 0 || maps_.count(name) != 0 ||
           arrays_.count(name) != 0;
  }

  /// `*` at this level: every field is encrypted.
  [[nodiscard]] bool encrypts_everything() const noexcept { return all_; }
  /// Fields encrypted whole at this level.
  [[nodiscard]] const std::set<std::string>& fields() const noexcept { return fields_; }
  /// `field.sub`: manifests of nested objects.
  [[nodiscard]] const std::map<std::string, EncryptedFieldsManifest>& nested() const noexcept { return nested_; }
  /// `field.*.sub`: manifests of each value of a map.
  [[nodiscard]] const std::map<std::string, EncryptedFieldsManifest>& map_values() const noexcept { return maps_; }
  /// `field[].sub`: manifests of each element of an array.
  [[nodiscard]] const std::map<std::string, EncryptedFieldsManifest>& array_items() const noexcept { return arrays_; }

 private:
  Status add(std::string_view entry, std::string_view path);
  bool all_ = false;
  std::set<std::string> fields_;
  std::map<std::string, EncryptedFieldsManifest> nested_;
  std::map<std::string, EncryptedFieldsManifest> maps_;
  std::map<std::string, EncryptedFieldsManifest> arrays_;
};

}  // namespace cardinal
