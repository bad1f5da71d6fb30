// The store's attachment files tied to its transactions (Db::place_attachment, drop_attachment),
// and the move of attachment blobs out of SQLite for databases written by older versions.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include "db.hpp"
#include "sqlite_stmt.hpp"

namespace devserver {

void Db::place_attachment(Upload& upload, const std::string& id) {
  attachments_.place(upload, id);
  drop_on_rollback_.push_back(id);
}

void Db::drop_attachment(const std::string& id) { drop_after_commit_.push_back(id); }

void Db::committed() noexcept {
  // A file that cannot be removed now is only unreferenced (reported by remove()).
  for (const auto& id : drop_after_commit_) attachments_.remove(id);
  drop_after_commit_.clear();
  drop_on_rollback_.clear();
}

void Db::rolled_back() noexcept {
  for (const auto& id : drop_on_rollback_) attachments_.remove(id);
  drop_on_rollback_.clear();
  drop_after_commit_.clear();
}

namespace {

constexpr int kBlobPiece = 1 << 20;

// One legacy row's blob into a finished upload, read piece by piece (never whole in memory).
void copy_blob(sqlite3* db, std::int64_t rowid, Upload& upload) {
  sqlite3_blob* blob = nullptr;
  if (sqlite3_blob_open(db, "main", table::kLegacyAttachments, "data", rowid, 0, &blob) != SQLITE_OK) {
    const std::string msg = sqlite3_errmsg(db);
    sqlite3_blob_close(blob);
    throw std::runtime_error("sqlite blob open: " + msg);
  }
  const int size = sqlite3_blob_bytes(blob);
  std::vector<char> piece(kBlobPiece);
  for (int offset = 0; offset < size; offset += kBlobPiece) {
    const int n = std::min(kBlobPiece, size - offset);
    if (sqlite3_blob_read(blob, piece.data(), n, offset) != SQLITE_OK) {
      sqlite3_blob_close(blob);
      throw std::runtime_error("sqlite blob read failed");
    }
    upload.append(piece.data(), static_cast<std::size_t>(n));
  }
  sqlite3_blob_close(blob);
  upload.finish();
}

}  // namespace

// Databases from before the attachment files kept the bodies in table `attachments`: each row
// becomes a file (same id), then the table is dropped. Interrupted, it starts again on the next
// start (placing a file again replaces it whole).
void Db::migrate_legacy_attachments() {
  {
    Stmt exists(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    exists.bind(1, std::string(table::kLegacyAttachments));
    if (!exists.step()) return;
  }
  std::vector<std::pair<std::int64_t, std::string>> rows;
  {
    Stmt st(db_, "SELECT rowid, id FROM attachments");
    while (st.step()) rows.emplace_back(st.integer(0), st.text(1));
  }
  for (const auto& [rowid, id] : rows) {
    if (!AttachmentStore::valid_id(id)) {
      std::cerr << "cardinal-devserver: legacy attachment row with an invalid id dropped (no Document "
                   "made by this server refers to it)\n";
      continue;
    }
    Upload upload = attachments_.begin_upload();
    copy_blob(db_, rowid, upload);
    attachments_.place(upload, id);
  }
  exec("DROP TABLE attachments");
}

}  // namespace devserver
