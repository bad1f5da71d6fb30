// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Plays a compromised database: reads and writes the devserver's SQLite file directly (one table
// per record kind, `id TEXT PRIMARY KEY, doc TEXT` holding the JSON; see tools/devserver/README.md)
// and the attachment files beside it.

#include <cardinal/json.hpp>

#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace cardinal::testing {

class TamperDb {
 public:
  explicit TamperDb(const std::string& path) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~TamperDb() { sqlite3_close(db_); }
  TamperDb(const TamperDb&) = delete;
  TamperDb& operator=(const TamperDb&) = delete;

  Json get(const std::string& table, const std::string& id) {
    for (auto& d : all(table)) {
      if (d.value("id", "") == id) return d;
    }
    throw std::runtime_error("no " + table + " " + id);
  }
  std::vector<Json> all(const std::string& table) {
    std::vector<Json> out;
    sqlite3_stmt* st = nullptr;
    const std::string sql = "SELECT doc FROM " + table;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) throw std::runtime_error(sql);
    while (sqlite3_step(st) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));  // NOLINT
      out.push_back(parse_json(text == nullptr ? "null" : text).value());
    }
    sqlite3_finalize(st);
    return out;
  }
  /// Writes a document as is (raw text: may be malformed on purpose).
  void put_raw(const std::string& table, const std::string& id, const std::string& doc) {
    sqlite3_stmt* st = nullptr;
    const std::string sql = "INSERT OR REPLACE INTO " + table + " (id, doc) VALUES (?, ?)";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) throw std::runtime_error(sql);
    sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, doc.c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error("write failed");
  }
  void put(const std::string& table, const Json& doc) { put_raw(table, doc.at("id").get<std::string>(), doc.dump()); }
  void remove(const std::string& table, const std::string& id) {
    const std::string sql = "DELETE FROM " + table + " WHERE id = '" + id + "'";
    sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }

  /// Attachment bytes: the file `<database>.attachments/<attachment id>` (tools/devserver/README.md).
  std::string get_blob(const std::string& id) {
    std::ifstream in(attachment_path(id), std::ios::binary);
    if (!in) throw std::runtime_error("no attachment " + id);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  /// Replaces attachment bytes as is (the file is rewritten in place, as a compromised disk would).
  void put_blob(const std::string& id, const std::string& data) {
    std::ofstream out(attachment_path(id), std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out.flush()) throw std::runtime_error("attachment write failed");
  }

 private:
  std::string attachment_path(const std::string& id) const {
    if (id.find('/') != std::string::npos || id.empty() || id[0] == '.') throw std::runtime_error("odd attachment id");
    return path_ + ".attachments/" + id;
  }
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace cardinal::testing
