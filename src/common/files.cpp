// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "common/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstdint>

namespace cardinal::internal {

namespace {

// A name no other writer uses: process id, a per-process counter, and 8 bytes from the kernel's
// random source (so that nobody can pre-create it; O_EXCL refuses an existing name or symlink).
// Plain OS randomness: common/ stays below crypto/.
std::string temporary_suffix() {
  static std::atomic<std::uint64_t> counter{0};
  std::string out = std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1)) + ".";
  std::uint8_t raw[8] = {};
  if (::getrandom(raw, sizeof raw, 0) == static_cast<ssize_t>(sizeof raw)) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (const std::uint8_t b : raw) {
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0f]);
    }
  } else {
    out.push_back('x');
  }
  return out;
}

}  // namespace

Status write_atomically(const std::filesystem::path& path, ByteView data) {
  const std::string tmp = path.string() + ".tmp." + temporary_suffix();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error{ErrorCode::kIo, "cannot create a temporary file next to " + path.string()};
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error{ErrorCode::kIo, "write failed"};
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Error{ErrorCode::kIo, "fsync failed"};
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Error{ErrorCode::kIo, "rename failed"};
  }
  const std::string dir = path.has_parent_path() ? path.parent_path().string() : ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

Result<std::optional<Bytes>> read_file(const std::filesystem::path& path, std::size_t max_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<Bytes>{};
    return Error{ErrorCode::kIo, "cannot read " + path.string()};
  }
  Bytes data;
  std::uint8_t buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      ::close(fd);
      return Error{ErrorCode::kIo, "read failed"};
    }
    if (n == 0) break;
    data.insert(data.end(), buf, buf + n);
    if (data.size() > max_size) {
      ::close(fd);
      return Error{ErrorCode::kMalformedInput, "file too large: " + path.string()};
    }
  }
  ::close(fd);
  return std::optional<Bytes>{std::move(data)};
}

FileLock::FileLock(const std::filesystem::path& path) {
  fd_ = ::open((path.string() + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ >= 0) ::flock(fd_, LOCK_EX);
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

}  // namespace cardinal::internal
