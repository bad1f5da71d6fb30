#include "attachment_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "util.hpp"

namespace devserver {

namespace {

constexpr std::size_t kWriteBuffer = 256u * 1024u;
constexpr std::string_view kTempPrefix = "tmp-";
constexpr std::string_view kTempSuffix = ".part";

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw_errno("attachment write");
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}

void sync_folder(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_errno("open attachment folder " + dir.string());
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) {
    errno = saved;
    throw_errno("sync attachment folder " + dir.string());
  }
}

std::filesystem::path make_temporary_folder() {
  std::string templ = (std::filesystem::temp_directory_path() / "cardinal-devserver-attachments-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) throw_errno("mkdtemp for the in-memory attachment store");
  return templ;
}

// Temporary files left by a crash (never placed): nothing refers to them.
void remove_leftovers(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kTempPrefix, 0) == 0 && name.size() > kTempSuffix.size() &&
        name.compare(name.size() - kTempSuffix.size(), kTempSuffix.size(), kTempSuffix) == 0) {
      std::error_code ignored;
      std::filesystem::remove(entry.path(), ignored);
    }
  }
}

}  // namespace

// --- Upload

Upload::Upload(int fd, std::filesystem::path path, bool durable) : fd_(fd), path_(std::move(path)), durable_(durable) {
  buffer_.reserve(kWriteBuffer);
}

Upload::Upload(Upload&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      durable_(other.durable_),
      placed_(std::exchange(other.placed_, true)),
      size_(other.size_),
      buffer_(std::move(other.buffer_)) {}

Upload::~Upload() {
  if (fd_ >= 0) ::close(fd_);
  if (!placed_ && !path_.empty()) ::unlink(path_.c_str());
}

void Upload::append(const char* data, std::size_t n) {
  size_ += n;
  if (buffer_.size() + n > kWriteBuffer) {
    flush_buffer();
    if (n >= kWriteBuffer) {
      write_all(fd_, data, n);
      return;
    }
  }
  buffer_.append(data, n);
}

void Upload::flush_buffer() {
  write_all(fd_, buffer_.data(), buffer_.size());
  buffer_.clear();
}

void Upload::finish() {
  flush_buffer();
  if (durable_ && ::fdatasync(fd_) != 0) throw_errno("attachment flush");
}

// --- AttachmentFile

AttachmentFile::~AttachmentFile() { ::close(fd_); }

std::size_t AttachmentFile::read_at(std::uint64_t offset, char* out, std::size_t n) const {
  for (;;) {
    const ssize_t r = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno != EINTR) throw_errno("attachment read");
  }
}

// --- AttachmentStore

AttachmentStore::AttachmentStore(const std::string& db_path) {
  if (db_path == ":memory:") {
    dir_ = make_temporary_folder();
    temporary_ = true;
    return;
  }
  dir_ = db_path + ".attachments";
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec || !std::filesystem::is_directory(dir_)) {
    throw std::runtime_error("cannot create the attachment folder " + dir_.string() + ": " + ec.message());
  }
  remove_leftovers(dir_);
}

AttachmentStore::~AttachmentStore() {
  if (!temporary_) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool AttachmentStore::valid_id(std::string_view id) { return is_lower_hex(id, 32); }

Upload AttachmentStore::begin_upload() const {
  for (int attempt = 0;; ++attempt) {
    auto path = dir_ / (std::string(kTempPrefix) + random_hex(8) + std::string(kTempSuffix));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) return Upload(fd, std::move(path), !temporary_);
    if (errno != EEXIST || attempt > 8) throw_errno("create a temporary attachment file in " + dir_.string());
  }
}

void AttachmentStore::place(Upload& upload, const std::string& id) const {
  if (!valid_id(id)) throw std::invalid_argument("invalid attachment id");
  const auto target = dir_ / id;
  if (::rename(upload.path_.c_str(), target.c_str()) != 0) throw_errno("place the attachment " + id);
  upload.placed_ = true;
  if (!temporary_) sync_folder(dir_);
}

std::shared_ptr<const AttachmentFile> AttachmentStore::open(const std::string& id) const {
  if (!valid_id(id)) return nullptr;
  const int fd = ::open((dir_ / id).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return nullptr;
    throw_errno("open the attachment " + id);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return nullptr;
  }
  return std::make_shared<const AttachmentFile>(fd, static_cast<std::uint64_t>(st.st_size));
}

bool AttachmentStore::remove(const std::string& id) const noexcept {
  if (!valid_id(id)) return true;  // never a file of this store
  if (::unlink((dir_ / id).c_str()) == 0 || errno == ENOENT) return true;
  std::cerr << "cardinal-devserver: cannot remove the attachment file " << id << ": " << std::strerror(errno) << '\n';
  return false;
}

}  // namespace devserver
