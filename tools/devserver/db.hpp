// SQLite storage for the devserver: one table per record kind, each row one JSON document.
// One connection guarded by a mutex; every request runs in one transaction (all or nothing).
// Attachment bodies are files beside the database (AttachmentStore), tied to the transactions.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "attachment_store.hpp"

struct sqlite3;

namespace devserver {

using json = nlohmann::json;

// The record kinds (table names). Only these names ever reach SQL text.
namespace table {
inline constexpr const char* kMeta = "meta";
inline constexpr const char* kUsers = "users";
inline constexpr const char* kHcps = "healthcare_parties";
inline constexpr const char* kPatients = "patients";
inline constexpr const char* kDevices = "devices";
inline constexpr const char* kExchangeData = "exchange_data";
inline constexpr const char* kExchangeDataMaps = "exchange_data_maps";
inline constexpr const char* kRecoveryData = "recovery_data";
inline constexpr const char* kHealthElements = "health_elements";
inline constexpr const char* kDocuments = "documents";
inline constexpr const char* kContacts = "contacts";
// Attachment bytes were rows of this table (SQLite blobs); they are files now (AttachmentStore),
// and a database that still has the table has its rows moved to files on start.
inline constexpr const char* kLegacyAttachments = "attachments";
}  // namespace table

// A look-up in the match indexes (db_index.cpp): entities of `table` found under one of `keys`
// and, when `attr` is set, with an `attr` value in `values` (or in `range`, inclusive, or starting
// with `prefix`). Distinct ids, ordered by id.
struct IndexQuery {
  const char* table = nullptr;
  std::vector<std::string> keys;
  std::string attr;
  std::vector<std::string> values;
  std::optional<std::pair<std::string, std::string>> range;
  std::optional<std::string> prefix;
};

// A look-up in the services index (db_index.cpp): the services of the contacts found under one of
// `keys` (and, when `secret_foreign_keys` is set, linked to one of them) with an `attr` row whose
// value is in `values` ("all" without values: every service).
struct ServiceQuery {
  std::vector<std::string> keys;
  std::string attr = "all";
  std::vector<std::string> values;
  std::optional<std::vector<std::string>> secret_foreign_keys;
};

// One service of a contact, as indexed: the row's value and the service's value date.
struct ServiceRow {
  std::string contact_id;
  std::string service_id;
  std::string value;
  std::optional<std::int64_t> date;
};

class Db {
 public:
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs `f` inside BEGIN IMMEDIATE / COMMIT while holding the connection mutex; rolls back if `f`
  // throws. The file changes `f` scheduled (place_attachment, drop_attachment) are completed after
  // COMMIT, or undone on a rollback.
  template <class F>
  auto transaction(F&& f) -> decltype(f()) {
    std::lock_guard<std::mutex> lock(mutex_);
    exec("BEGIN IMMEDIATE");
    try {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        exec("COMMIT");
        committed();
      } else {
        auto result = f();
        exec("COMMIT");
        committed();
        return result;
      }
    } catch (...) {
      rolled_back();
      exec("ROLLBACK");
      throw;
    }
  }

  // All of the following must be called inside transaction().
  std::optional<json> get(const char* tbl, const std::string& id);
  bool exists(const char* tbl, const std::string& id);
  void insert(const char* tbl, const std::string& id, const json& doc);  // throws if it exists
  void put(const char* tbl, const std::string& id, const json& doc);     // insert or replace
  void remove(const char* tbl, const std::string& id);
  // Documents whose JSON field `path` (e.g. "$.delegator") equals `value`, ordered by id.
  std::vector<json> find_by(const char* tbl, const char* path, const std::string& value);
  // Rows of exchange_data where delegator or delegate is `id`, id >= start, ordered by id.
  std::vector<json> exchange_data_of(const std::string& participant, const std::string& start, std::size_t limit);
  std::vector<json> all(const char* tbl);

  // --- match indexes (db_index.cpp), maintained by triggers on the entity tables
  std::vector<std::string> indexed_ids(const IndexQuery& q);
  // Ids of `tbl` with an `attr` value in `values`, whoever they are delegated to.
  std::vector<std::string> ids_with_attr(const char* tbl, const std::string& attr, const std::vector<std::string>& values);
  // (id, the number at JSON `path` or nothing) for the ids that exist, in no particular order.
  std::vector<std::pair<std::string, std::optional<std::int64_t>>> numbers_of(const char* tbl,
                                                                               const std::vector<std::string>& ids,
                                                                               const std::string& path);

  // Rows of the services index (unordered; a service may appear once per contact and per key).
  std::vector<ServiceRow> service_rows(const ServiceQuery& q);
  // (service id, contact id) of every contact holding one of these services, whoever can read it.
  std::vector<std::pair<std::string, std::string>> contacts_of_services(const std::vector<std::string>& service_ids);

  // --- attachment files (inside transaction())
  // Renames the finished upload to the attachment `id` now, removed again if the transaction
  // rolls back. Throws std::system_error.
  void place_attachment(Upload& upload, const std::string& id);
  // Removes the attachment's file once the transaction has committed (kept if it rolls back).
  void drop_attachment(const std::string& id);
  // The store itself (uploads, downloads): safe outside transactions.
  [[nodiscard]] const AttachmentStore& attachments() const { return attachments_; }

  std::optional<std::string> meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);

 private:
  void exec(const char* sql);
  void create_indexes();
  void migrate_legacy_attachments();
  void committed() noexcept;
  void rolled_back() noexcept;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
  AttachmentStore attachments_;
  std::vector<std::string> drop_after_commit_;  // attachment ids
  std::vector<std::string> drop_on_rollback_;
};

}  // namespace devserver
