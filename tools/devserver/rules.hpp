// The devserver's backend rules that do not depend on HTTP: request-field validation, revisions,
// data-owner stubs, the caller, and entity access through secure delegations
// (shared/spec/backend-semantics.md §3.6, §4).
#pragma once

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db.hpp"

namespace devserver {

using json = nlohmann::json;

// An error answered as HTTP `status` with {"message": what()}.
struct HttpError : std::runtime_error {
  HttpError(int s, const std::string& message) : std::runtime_error(message), status(s) {}
  int status;
};

[[noreturn]] inline void fail(int status, const std::string& message) { throw HttpError(status, message); }

// --- request fields (wrong types are 400, never a crash)
std::string require_string(const json& obj, const char* field);
std::optional<std::string> optional_string(const json& obj, const char* field);
std::vector<std::string> string_array(const json& obj, const char* field, bool required = false);
void require_string_map(const json& obj, const char* field, bool non_empty);
// The string value of `field`, or "" when absent or not a string (for stored documents).
std::string string_field(const json& obj, const char* field);
bool valid_entity_id(const std::string& id);

// --- revisions: "<generation>-<32 random hex>"
std::string next_rev(const json& doc);
std::string rev_of(const json& doc);

// --- data owners
struct DataOwnerKind {
  const char* type;        // "hcp" | "patient" | "device"
  const char* table;       // storage table
  const char* user_field;  // User field naming it
};

// Looked up in this order (as the backend does: patient, then HCP, then device).
inline constexpr DataOwnerKind kDataOwnerKinds[] = {
    {"patient", table::kPatients, "patientId"},
    {"hcp", table::kHcps, "healthcarePartyId"},
    {"device", table::kDevices, "deviceId"},
};

const DataOwnerKind* kind_for_type(const std::string& type);

// The fields PUT /dataowner/stub replaces.
inline constexpr const char* kCryptoActorFields[] = {"publicKey",    "hcPartyKeys",
                                                     "aesExchangeKeys", "transferKeys",
                                                     "privateKeyShamirPartitions", "publicKeysForOaepWithSha256",
                                                     "cryptoActorProperties"};

// CryptoActorStub of a stored data owner (always with publicKeysForOaepWithSha256).
json stub_of(const json& doc);

// --- the caller
struct Caller {
  std::string user_id;
  json user;
  std::string data_owner_id;           // empty if the user is not a data owner
  std::string data_owner_type;         // "hcp" | "patient" | "device"
  std::vector<std::string> hierarchy;  // self first, then ancestors
  std::set<std::string> ack_hashes;    // sha256 hex of the access control keys in the headers

  bool in_hierarchy(const std::string& id) const {
    return !id.empty() && std::find(hierarchy.begin(), hierarchy.end(), id) != hierarchy.end();
  }
};

// 403 unless the caller is a data owner.
inline const Caller& require_data_owner(const Caller& c) {
  if (c.data_owner_id.empty()) fail(403, "The current user is not a data owner");
  return c;
}

// --- entities with encryption metadata
struct EntityKind {
  const char* path;       // "helement"
  const char* table;      // "health_elements"
  const char* type_name;  // "HealthElement"
  bool is_patient;
};

inline constexpr EntityKind kEntityKinds[] = {
    {"helement", table::kHealthElements, "HealthElement", false},
    {"patient", table::kPatients, "Patient", true},
    {"document", table::kDocuments, "Document", false},
    {"contact", table::kContacts, "Contact", false},
};

struct Access {
  bool read = false;
  bool write = false;
  std::set<std::string> usable;  // secure delegation keys the caller can use
};

// securityMetadata.secureDelegations, or an empty object.
const json& secure_delegations_of(const json& entity);
// What `caller` may do with `entity` (backend-semantics.md §4.2).
Access access_to(const json& entity, const Caller& caller, bool is_patient);
// 400 unless securityMetadata is non-empty and well formed (keys, fields, parents, acyclic, roots WRITE).
void validate_security_metadata(const json& entity);
// All delegation keys reachable from `start` through parentDelegations (excluding start).
std::set<std::string> ancestors_of(const json& delegations, const std::string& start);

}  // namespace devserver
