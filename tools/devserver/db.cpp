#include "db.hpp"

#include "sqlite_stmt.hpp"
#include "util.hpp"

#include <stdexcept>

#include <sqlite3.h>

namespace devserver {

namespace {

constexpr const char* kDocTables[] = {table::kUsers,           table::kHcps,         table::kPatients,
                                      table::kDevices,         table::kExchangeData, table::kExchangeDataMaps,
                                      table::kRecoveryData,    table::kHealthElements, table::kDocuments,
                                      table::kContacts};

// Request bodies are at most 64 levels deep; a stored record nested deeper was written behind the
// server's back (tampering) and is refused before it is parsed.
constexpr std::size_t kMaxRecordDepth = 256;

json parse_record(const std::string& text) {
  if (!json_depth_within(text, kMaxRecordDepth)) throw std::runtime_error("stored record nested too deeply");
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error("stored record is not a JSON object");
  return j;
}

std::vector<json> rows_as_json(Stmt& st) {
  std::vector<json> out;
  while (st.step()) out.push_back(parse_record(st.text(0)));
  return out;
}

}  // namespace

Db::Db(const std::string& path) : attachments_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open database: " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  if (path != ":memory:") {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
  }
  for (const char* t : kDocTables) {
    exec(("CREATE TABLE IF NOT EXISTS " + std::string(t) + " (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)").c_str());
  }
  exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)");
  create_indexes();
  migrate_legacy_attachments();
}

Db::~Db() { sqlite3_close(db_); }

void Db::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("sqlite: " + msg);
  }
}

std::optional<json> Db::get(const char* tbl, const std::string& id) {
  Stmt st(db_, "SELECT doc FROM " + std::string(tbl) + " WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return parse_record(st.text(0));
}

bool Db::exists(const char* tbl, const std::string& id) {
  Stmt st(db_, "SELECT 1 FROM " + std::string(tbl) + " WHERE id = ?1");
  st.bind(1, id);
  return st.step();
}

void Db::insert(const char* tbl, const std::string& id, const json& doc) {
  Stmt st(db_, "INSERT INTO " + std::string(tbl) + " (id, doc) VALUES (?1, ?2)");
  st.bind(1, id).bind(2, doc.dump());
  st.step();
}

void Db::put(const char* tbl, const std::string& id, const json& doc) {
  Stmt st(db_, "INSERT OR REPLACE INTO " + std::string(tbl) + " (id, doc) VALUES (?1, ?2)");
  st.bind(1, id).bind(2, doc.dump());
  st.step();
}

void Db::remove(const char* tbl, const std::string& id) {
  Stmt st(db_, "DELETE FROM " + std::string(tbl) + " WHERE id = ?1");
  st.bind(1, id);
  st.step();
}

std::vector<json> Db::find_by(const char* tbl, const char* path, const std::string& value) {
  Stmt st(db_, "SELECT doc FROM " + std::string(tbl) + " WHERE json_extract(doc, ?1) = ?2 ORDER BY id");
  st.bind(1, std::string(path)).bind(2, value);
  return rows_as_json(st);
}

std::vector<json> Db::exchange_data_of(const std::string& participant, const std::string& start, std::size_t limit) {
  Stmt st(db_,
          "SELECT doc FROM exchange_data WHERE (json_extract(doc, '$.delegator') = ?1 OR "
          "json_extract(doc, '$.delegate') = ?1) AND id >= ?2 ORDER BY id LIMIT ?3");
  st.bind(1, participant).bind(2, start).bind(3, static_cast<std::int64_t>(limit));
  return rows_as_json(st);
}

std::vector<json> Db::all(const char* tbl) {
  Stmt st(db_, "SELECT doc FROM " + std::string(tbl) + " ORDER BY id");
  return rows_as_json(st);
}

std::optional<std::string> Db::meta(const std::string& key) {
  Stmt st(db_, "SELECT value FROM meta WHERE key = ?1");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

void Db::set_meta(const std::string& key, const std::string& value) {
  Stmt st(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
  st.bind(1, key).bind(2, value);
  st.step();
}

}  // namespace devserver
