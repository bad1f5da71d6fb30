// Attachment bodies as files, outside SQLite (whose blobs stop at 10^9 bytes): one file per
// attachment in one folder, `<db path>.attachments/<attachment id>` (for `--db :memory:` a fresh
// temporary folder, removed with the store). A body is received into a temporary file in that
// folder and renamed into place only once it is complete and within the limits (atomic: a reader
// sees the whole previous body or the whole new one, never part of one). Which attachment a
// Document has is decided by its record (SQLite); Db::place_attachment / Db::drop_attachment tie
// the files to the transaction that changes the record.
//
// Thread safety: every member is safe to call from several threads (the store holds only its
// folder's path); one Upload or AttachmentFile belongs to one request at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace devserver {

// A body being received into a temporary file of the store's folder. The file is removed unless
// the upload was placed (AttachmentStore::place). Move-only.
class Upload {
 public:
  Upload(Upload&& other) noexcept;
  Upload& operator=(Upload&&) = delete;
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;
  ~Upload();

  // Appends bytes (buffered). Throws std::system_error on a write error (ENOSPC: disk full).
  void append(const char* data, std::size_t n);
  [[nodiscard]] std::uint64_t size() const { return size_; }
  // Writes what is buffered and, for a durable store, flushes the file to disk (fdatasync):
  // call once the whole body is in, before placing it. Throws std::system_error.
  void finish();

 private:
  friend class AttachmentStore;
  Upload(int fd, std::filesystem::path path, bool durable);
  void flush_buffer();

  int fd_ = -1;
  std::filesystem::path path_;
  bool durable_ = false;
  bool placed_ = false;
  std::uint64_t size_ = 0;
  std::string buffer_;
};

// A stored attachment opened for reading. The open descriptor keeps the bytes readable even if
// the attachment is replaced or deleted meanwhile (a download in progress finishes with the body
// it started with).
class AttachmentFile {
 public:
  AttachmentFile(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  ~AttachmentFile();
  AttachmentFile(const AttachmentFile&) = delete;
  AttachmentFile& operator=(const AttachmentFile&) = delete;

  [[nodiscard]] std::uint64_t size() const { return size_; }
  // Reads up to `n` bytes at `offset`; returns how many (0 at the end). Throws std::system_error.
  std::size_t read_at(std::uint64_t offset, char* out, std::size_t n) const;

 private:
  int fd_;
  std::uint64_t size_;
};

class AttachmentStore {
 public:
  // `db_path`: the SQLite file (attachments in `<db_path>.attachments/`, created if missing;
  // temporary files left there by a crash are removed), or ":memory:" (a temporary folder that
  // the destructor removes; uploads are not flushed to disk). Throws std::runtime_error.
  explicit AttachmentStore(const std::string& db_path);
  ~AttachmentStore();
  AttachmentStore(const AttachmentStore&) = delete;
  AttachmentStore& operator=(const AttachmentStore&) = delete;

  // Whether `id` can name an attachment: 32 lower-case hex digits, as this server makes them
  // (ids read from a possibly tampered record never reach a path otherwise).
  static bool valid_id(std::string_view id);

  // A new temporary file for a body. Throws std::system_error.
  [[nodiscard]] Upload begin_upload() const;
  // Renames a finished upload to the attachment `id` (a fresh id: replaces nothing) and, for a
  // durable store, flushes the folder. Throws std::system_error (the upload is then still removed
  // by its destructor).
  void place(Upload& upload, const std::string& id) const;
  // The attachment `id`, or nothing when there is none (or `id` is not valid).
  [[nodiscard]] std::shared_ptr<const AttachmentFile> open(const std::string& id) const;
  // Removes the attachment's file; false (reported on stderr) when it exists but cannot be removed.
  bool remove(const std::string& id) const noexcept;
  [[nodiscard]] const std::filesystem::path& folder() const { return dir_; }

 private:
  std::filesystem::path dir_;
  bool temporary_ = false;
};

}  // namespace devserver
