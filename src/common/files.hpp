// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Small file helpers for local state (key store, pin file): atomic replacement and bounded reads.

#include <cardinal/bytes.hpp>
#include <cardinal/result.hpp>

#include <filesystem>
#include <optional>

namespace cardinal::internal {

/// Replaces `path` with `data`: temporary file (mode 0600) in the same directory, fsync, rename,
/// fsync of the directory. On failure the old file is untouched. Errors: kIo.
Status write_atomically(const std::filesystem::path& path, ByteView data);

/// The file's bytes, or nullopt when it does not exist. Errors: kIo, kMalformedInput (> max_size).
Result<std::optional<Bytes>> read_file(const std::filesystem::path& path, std::size_t max_size);

/// An exclusive advisory lock (flock) on "<path>.lock", held while alive.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  [[nodiscard]] bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace cardinal::internal
