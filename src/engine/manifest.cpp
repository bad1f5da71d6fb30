// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/content/manifest.hpp>
#include <cardinal/json.hpp>

namespace cardinal {

namespace {

Error bad(std::string_view path, std::string_view why) {
  return Error{ErrorCode::kInvalidArgument, "manifest entry '" + std::string(path) + "': " + std::string(why)};
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

Result<EncryptedFieldsManifest> EncryptedFieldsManifest::parse(const std::vector<std::string>& entries) {
  EncryptedFieldsManifest m;
  for (const auto& e : entries) CARDINAL_RETURN_IF_ERROR(m.add(e, e));
  return m;
}

Result<EncryptedFieldsManifest> EncryptedFieldsManifest::extended(const std::vector<std::string>& entries) const {
  EncryptedFieldsManifest m = *this;
  for (const auto& e : entries) CARDINAL_RETURN_IF_ERROR(m.add(e, e));
  return m;
}

Status EncryptedFieldsManifest::add(std::string_view entry, std::string_view path) {
  if (entry == "*") {
    if (!fields_.empty() || !nested_.empty() || !maps_.empty() || !arrays_.empty()) {
      return bad(path, "'*' must be alone at its level");
    }
    all_ = true;
    return {};
  }
  if (all_) return bad(path, "'*' must be alone at its level");
  if (!entry.empty() && entry.front() == '[') {
    // Grouping: a JSON array of entries relative to this level.
    auto parsed = parse_json(entry);
    if (!parsed.ok() || !parsed->is_array()) return bad(path, "malformed group");
    for (const auto& item : *parsed) {
      if (!item.is_string()) return bad(path, "group elements must be strings");
      CARDINAL_RETURN_IF_ERROR(add(item.get<std::string>(), path));
    }
    return {};
  }
  if (entry.empty() || !is_name_start(entry.front())) return bad(path, "expected a field name");
  std::size_t n = 1;
  while (n < entry.size() && is_name_char(entry[n])) ++n;
  const std::string name(entry.substr(0, n));
  const std::string_view rest = entry.substr(n);

  auto role_taken = [&](const void* except) {
    return (except != &fields_ && fields_.count(name) != 0) || (except != &nested_ && nested_.count(name) != 0) ||
           (except != &maps_ && maps_.count(name) != 0) || (except != &arrays_ && arrays_.count(name) != 0);
  };
  if (rest.empty()) {
    if (role_taken(&fields_)) return bad(path, "field '" + name + "' has two roles");
    fields_.insert(name);
    return {};
  }
  std::map<std::string, EncryptedFieldsManifest>* target = nullptr;
  std::string_view sub;
  if (rest.starts_with("[].")) {
    target = &arrays_;
    sub = rest.substr(3);
  } else if (rest.starts_with(".*.")) {
    target = &maps_;
    sub = rest.substr(3);
  } else if (rest.starts_with(".")) {
    target = &nested_;
    sub = rest.substr(1);
  } else {
    return bad(path, "unexpected characters after '" + name + "'");
  }
  if (sub.empty()) return bad(path, "nothing after a separator");
  if (role_taken(target)) return bad(path, "field '" + name + "' has two roles");
  return (*target)[name].add(sub, path);
}

Result<EncryptedFieldsManifest> EncryptedFieldsManifest::platform_default(std::string_view entity_type) {
  // The platform's default encrypted fields per entity type (shared/spec/crypto-spec.md §6.2).
  static const std::map<std::string_view, std::vector<std::string>> kDefaults = {
      {"AccessLog", {"detail", "objectId", "patientId"}},
      {"CalendarItem",
       {"details", "title", "patientId", "phoneNumber", "address", "addressText", "meetingTags[].*", "flowItem"}},
      {"Contact", {"descr", "notes[].markdown", "location", "encounterLocation", "participants", "participantList"}},
      {"Service", {"notes[].markdown", "comment"}},
      {"HealthElement",
       {"descr", "note", "notes[].markdown", "careTeam[].careTeamMemberType", "careTeam[].healthcarePartyId",
        "careTeam[].quality", "episodes[].name", "episodes[].comment"}},
      {"MaintenanceTask", {"properties"}},
      {"Patient",
       {"note",
        "notes[].markdown",
        "created",
        "modified",
        "companyName",
        "languages",
        "civility",
        "birthSex",
        "personalStatus",
        "nationality",
        "race",
        "ethnicity",
        "picture",
        "insurabilities[].*",
        "partnerships[].*",
        "patientHealthCareParties[].*",
        "financialInstitutionInformation[].*",
        "medicalHouseContracts[].*",
        "patientProfessions",
        "comment",
        "warning",
        "fatherBirthCountry",
        "birthCountry",
        "nativeCountry",
        "socialStatus",
        "mainSourceOfIncome",
        "schoolingInfos[].*",
        "employementInfos[].*"}},
      {"Message", {"subject"}},
      {"Topic", {"description", "linkedServices", "linkedHealthElements"}},
      {"Document", {"medicalLocationId", "name"}},
      {"Form", {"descr"}},
      {"Receipt", {"references"}},
      {"Classification", {"label"}},
      {"Invoice", {"reason"}},
  };
  auto it = kDefaults.find(entity_type);
  if (it == kDefaults.end()) {
    return Error{ErrorCode::kInvalidArgument,
                 "no platform manifest for entity type '" + std::string(entity_type) +
                     "': give one (SdkOptions::manifests) listing the fields to encrypt, or '*' for all"};
  }
  return parse(it->second);
}

}  // namespace cardinal
