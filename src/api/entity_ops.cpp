// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore: the remote entity operations: create, get, modify (optimistic concurrency, merge),
// remove.
#include "api/sdk_core.hpp"

#include "api/entity_json.hpp"

namespace cardinal::api {

Result<DecryptedEntity> SdkCore::create(std::string_view type, Json clear, const CreateOptions& options) {
  CARDINAL_ASSIGN_OR_RETURN(Json encrypted, encrypt_new(type, std::move(clear), options));
  const std::string id = id_of(encrypted);
  CARDINAL_ASSIGN_OR_RETURN(Json stored, options_.backend->create_entity(type, encrypted, request_keys(type)));
  if (!same_delegations(stored, encrypted)) {
    Error e{ErrorCode::kTamperDetected, "the server changed the security metadata of new entity " + id};
    warn(type, id, e);
    return e;
  }
  return decrypt(type, std::move(stored));
}

Result<DecryptedEntity> SdkCore::get(std::string_view type, const std::string& id) {
  CARDINAL_ASSIGN_OR_RETURN(Json stored, fetch(type, id));
  return decrypt(type, std::move(stored));
}

Result<Json> SdkCore::fetch(std::string_view type, const std::string& id) {
  auto stored = options_.backend->get_entity(type, id, request_keys(type));
  if (stored.ok() || stored.error().code() != ErrorCode::kPermissionDenied || !self_anonymous_) return stored;
  // An anonymous data owner proves access with the access control keys of the exchange data it
  // knows: a share made since they were loaded needs them reloaded (once).
  CARDINAL_RETURN_IF_ERROR(exchange_data_->load_all());
  stored = options_.backend->get_entity(type, id, request_keys(type));
  if (stored.ok() || stored.error().code() != ErrorCode::kPermissionDenied) return stored;
  return Error{ErrorCode::kPermissionDenied,
               "no access yet: " + std::string(type) + " " + id + " was not shared with data owner " + self_.id +
                   " (its exchange data were reloaded); ask a data owner who can read it to share it"};
}

Result<DecryptedEntity> SdkCore::modify(std::string_view type, const Json& clear, const ModifyOptions& options) {
  const std::string id = id_of(clear);
  if (id.empty() || !clear.contains("rev") || !clear["rev"].is_string() || clear["rev"].get_ref<const std::string&>().empty()) {
    return Error{ErrorCode::kInvalidArgument,
                 "modify needs an entity with its id and rev, as returned by get or create"};
  }
  const std::string read_rev = clear["rev"].get<std::string>();
  const std::string what = std::string(type) + " " + id;
  std::optional<Json> base;
  Json mine = clear;
  for (int attempt = 0;; ++attempt) {
    CARDINAL_ASSIGN_OR_RETURN(Json encrypted, encrypt_existing(type, mine));
    auto stored = options_.backend->modify_entity(type, encrypted, request_keys(type));
    if (stored.ok()) {
      if (!same_delegations(*stored, encrypted)) {
        warn(type, id, Error{ErrorCode::kTamperDetected, "the server changed security metadata on modify"});
      }
      return decrypt(type, std::move(stored).value());
    }
    if (stored.error().code() != ErrorCode::kConflict) return stored.error();
    // Stale or unknown revision: nothing was written. Never overwrite the other writer's change.
    // `current`: empty (null entity) when the current version could not be read.
    auto fail = [&](std::string message, std::vector<std::string> fields, DecryptedEntity current) -> Error {
      if (options.conflict != nullptr) *options.conflict = ModifyConflict{std::move(current), std::move(fields)};
      return Error{ErrorCode::kConflict, std::move(message)};
    };
    auto fresh = options_.backend->get_entity(type, id, request_keys(type));
    if (!fresh.ok()) {
      return fail(what + " was not saved: revision " + read_rev +
                      " is not the current one, and the current version cannot be read (" + fresh.error().message() +
                      ")",
                  {}, DecryptedEntity{});
    }
    auto current = decrypt(type, *fresh);
    if (!current.ok()) {
      return fail(what + " was not saved: revision " + read_rev +
                      " is not the current one, and the current version cannot be decrypted (" +
                      current.error().message() + ")",
                  {}, DecryptedEntity{});
    }
    // Our own write, whose answer was lost and whose repeat (PUT is retried on transport faults)
    // met the new rev: the server holds exactly this change, nothing to report.
    if (same_content(current->entity, mine)) return current;
    const std::string current_rev = string_member(current->entity, "rev");
    const std::string stale = what + " was not saved: it was changed on the server since revision " + read_rev +
                              " (current revision " + current_rev + ")";
    if (options.on_conflict == ConflictPolicy::kFail) {
      return fail(stale + "; nothing was written. Apply the change to the current version (ModifyOptions::conflict "
                          "or get) and modify again, or modify with ConflictPolicy::kMerge",
                  {}, std::move(current).value());
    }
    if (!base) {
      if (options.base != nullptr) {
        base = *options.base;
      } else {
        base = revisions_->get(std::string(type), id, read_rev);
      }
      if (!base) {
        return fail(stale + "; nothing was written and no merge was tried: revision " + read_rev +
                        " is not one this SDK returned recently (pass the version you read as ModifyOptions::base)",
                    {}, std::move(current).value());
      }
    }
    MergeResult merged = three_way_merge(*base, clear, current->entity);
    if (!merged.conflicts.empty()) {
      std::string names;
      for (const auto& f : merged.conflicts) names += (names.empty() ? "" : ", ") + f;
      return fail(stale + "; nothing was written: both changed the field(s) " + names, std::move(merged.conflicts),
                  std::move(current).value());
    }
    if (attempt >= options_.max_conflict_retries) {
      return fail(stale + "; nothing was written: the entity keeps changing, merge given up after " +
                      std::to_string(attempt + 1) + " attempts",
                  {}, std::move(current).value());
    }
    mine = std::move(merged.merged);  // on the current rev and security metadata
  }
}

Status SdkCore::remove(std::string_view type, const std::string& id) {
  CARDINAL_ASSIGN_OR_RETURN(Json stored, options_.backend->get_entity(type, id, request_keys(type)));
  const std::string rev = stored.contains("rev") && stored["rev"].is_string() ? stored["rev"].get<std::string>() : "";
  return options_.backend->delete_entity(type, id, rev, request_keys(type));
}

}  // namespace cardinal::api
