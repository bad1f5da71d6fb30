// The devserver's attachment storage (files beside the database, replaced atomically, removed with
// their Document) and the body limits applied before a body is read.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include <sqlite3.h>

#include "devserver_client.hpp"

namespace devserver_test {
namespace {

namespace fs = std::filesystem;

json entity_with_root(const std::string& id) {
  const json part = {{"0123456789abcdef012345", "QUFBQQ=="}};
  const json delegation = {
      {"delegator", "hcp-alice"},   {"delegate", "hcp-alice"},          {"secretIds", {"c2VjcmV0"}},
      {"encryptionKeys", {"a2V5"}}, {"owningEntityIds", json::array()}, {"exchangeDataId", "xd-alice-alice"},
      {"permissions", "WRITE"}};
  return {{"id", id},
          {"encryptedSelf", "QUJDRA=="},
          {"securityMetadata", {{"secureDelegations", {{sd_key("root-" + id), delegation}}}}}};
}

json alice_exchange_data() {
  const json part = {{"0123456789abcdef012345", "QUFBQQ=="}};
  return {{"id", "xd-alice-alice"},
          {"delegator", "hcp-alice"},
          {"delegate", "hcp-alice"},
          {"exchangeKey", part},
          {"accessControlSecret", part},
          {"sharedSignatureKey", part},
          {"sharedSignature", "c2lnbmF0dXJl"},
          {"delegatorSignature", part}};
}

std::string pattern_bytes(std::size_t n, int seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + static_cast<std::size_t>(seed) * 7) & 0xff);
  return s;
}

// A raw HTTP/1.1 connection: what a client that aborts, or sends more than it may, does.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {  // NOLINT
      throw std::runtime_error("connect failed");
    }
    timeval tv{30, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // false once the server has closed the connection (or reset it).
  bool send(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Everything the server sends until it closes (or the 30 s receive timeout).
  std::string receive_all() {
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string head(const std::string& method, const std::string& path, const std::string& token,
                 const std::string& framing) {
  return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/octet-stream\r\n" + framing + "\r\n\r\n";
}

std::string chunk(const std::string& data) {
  std::ostringstream size;
  size << std::hex << data.size();
  return size.str() + "\r\n" + data + "\r\n";
}

// Sends `head` then body pieces (chunked or not) until `total` bytes or until the server stops
// taking them; returns how many body bytes the server took.
std::size_t body_bytes_taken(RawConnection& c, const std::string& request_head, std::size_t total, bool chunked) {
  if (!c.send(request_head)) return 0;
  const std::string piece(64 * 1024, 'x');
  std::size_t sent = 0;
  while (sent < total) {
    if (!c.send(chunked ? chunk(piece) : piece)) break;
    sent += piece.size();
  }
  return sent;
}

int status_of(const std::string& raw_reply) {
  if (raw_reply.rfind("HTTP/1.1 ", 0) != 0) return -1;
  return std::atoi(raw_reply.c_str() + 9);
}

class AttachmentStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("devserver-attachments");
    seed_ = dir_ / "seed.json";
    std::ofstream(seed_) << default_seed().dump();
    db_ = (dir_ / "db.sqlite").string();
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  void start(const std::string& db, std::vector<std::string> args = {"--max-body-bytes", "65536"}) {
    server_ = std::make_unique<DevServer>(db, SeedFile{seed_}, std::move(args));
    alice_ = std::make_unique<Client>(server_->port());
    ASSERT_EQ(alice_->login("alice", "alice-pw").status, 200);
  }
  json new_document(const std::string& id) {
    alice_->post("/rest/v2/exchangedata", alice_exchange_data());
    const auto r = alice_->post("/rest/v2/document", entity_with_root(id));
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }
  std::string upload_path(const json& doc) {
    return "/rest/v2/document/" + doc["id"].get<std::string>() + "/attachment?rev=" + doc["rev"].get<std::string>();
  }
  json upload(const json& doc, const std::string& bytes) {
    const auto r = alice_->request("PUT", upload_path(doc), bytes, {}, "application/octet-stream");
    EXPECT_EQ(r.status, 200) << r.raw.substr(0, 300);
    return r.body;
  }
  std::string download(const std::string& doc_id, int expected_status = 200) {
    const auto r = alice_->get("/rest/v2/document/" + doc_id + "/attachment");
    EXPECT_EQ(r.status, expected_status) << r.raw.substr(0, 300);
    return r.raw;
  }
  fs::path folder() const { return db_ + ".attachments"; }
  // The names in the attachment folder, sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder(), ec)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  // Waits until the server has begun writing an upload's temporary file other than those in
  // `seen` (the request is then being handled: its end can be judged), and adds it to `seen`.
  bool upload_in_progress(std::vector<std::string>& seen) const {
    for (int i = 0; i < 400; ++i) {
      for (const auto& name : files()) {
        if (name.size() > 5 && name.compare(name.size() - 5, 5, ".part") == 0 &&
            std::find(seen.begin(), seen.end(), name) == seen.end()) {
          seen.push_back(name);
          return true;
        }
      }
      usleep(25'000);
    }
    return false;
  }
  // The folder once the server has settled (an aborted request is handled on another thread).
  std::vector<std::string> files_settling_to(const std::vector<std::string>& expected) const {
    for (int i = 0; i < 200 && files() != expected; ++i) usleep(50'000);
    return files();
  }
  static std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  fs::path dir_, seed_;
  std::string db_;
  std::unique_ptr<DevServer> server_;
  std::unique_ptr<Client> alice_;
};

TEST_F(AttachmentStorageTest, BodiesAreFilesReplacedWholeAndRemovedWithTheirDocument) {
  start(db_);
  json doc = new_document("doc-1");
  const std::string first = pattern_bytes(300'000, 1);
  doc = upload(doc, first);
  const std::string first_id = doc["attachmentId"].get<std::string>();
  EXPECT_EQ(files(), std::vector<std::string>{first_id}) << "one file, no temporary file left";
  EXPECT_TRUE(read_file(folder() / first_id) == first);
  EXPECT_TRUE(download("doc-1") == first);

  const std::string second = pattern_bytes(200'001, 2);
  doc = upload(doc, second);
  const std::string second_id = doc["attachmentId"].get<std::string>();
  EXPECT_NE(second_id, first_id);
  EXPECT_EQ(files(), std::vector<std::string>{second_id}) << "the replaced body's file is removed";
  EXPECT_TRUE(download("doc-1") == second);
  EXPECT_EQ(doc["size"], second.size());

  // Deleting the attachment removes its file.
  const auto deleted = alice_->del("/rest/v2/document/doc-1/attachment?rev=" + doc["rev"].get<std::string>());
  ASSERT_EQ(deleted.status, 200) << deleted.raw;
  EXPECT_TRUE(files().empty());
  download("doc-1", 404);

  // A soft-deleted Document keeps its attachment (it can be undeleted); purging removes the file.
  doc = upload(deleted.body, first);
  const auto soft = alice_->del("/rest/v2/document/doc-1?rev=" + doc["rev"].get<std::string>());
  ASSERT_EQ(soft.status, 200) << soft.raw;
  EXPECT_EQ(files().size(), 1u);
  const auto current = alice_->get("/rest/v2/document/doc-1");
  const auto purged = alice_->del("/rest/v2/document/purge/doc-1?rev=" + current.body["rev"].get<std::string>());
  ASSERT_EQ(purged.status, 200) << purged.raw;
  EXPECT_TRUE(files().empty());
}

TEST_F(AttachmentStorageTest, AnAbortedUploadKeepsThePreviousAttachmentAndLeavesNoFile) {
  start(db_);
  json doc = new_document("doc-1");
  const std::string kept = pattern_bytes(100'000, 3);
  doc = upload(doc, kept);
  const std::vector<std::string> before = files();
  ASSERT_EQ(before.size(), 1u);
  // Each client goes away only once the server is writing its upload (else the folder could be
  // judged before the request is even handled).
  std::vector<std::string> temporary;
  {  // Content-Length framing: 300 000 of 1 000 000 bytes, then the client goes away.
    RawConnection c(server_->port());
    ASSERT_TRUE(c.send(head("PUT", upload_path(doc), alice_->token(), "Content-Length: 1000000")));
    ASSERT_TRUE(c.send(std::string(300'000, 'p')));
    ASSERT_TRUE(upload_in_progress(temporary));
  }
  {  // Chunked: a few chunks, no last chunk.
    RawConnection c(server_->port());
    ASSERT_TRUE(c.send(head("PUT", upload_path(doc), alice_->token(), "Transfer-Encoding: chunked")));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.send(chunk(std::string(65'536, 'q'))));
    ASSERT_TRUE(upload_in_progress(temporary));
  }
  EXPECT_EQ(files_settling_to(before), before) << "a temporary file of an aborted upload was left";
  const auto now = alice_->get("/rest/v2/document/doc-1");
  EXPECT_EQ(now.body["rev"], doc["rev"]) << "the Document changed";
  EXPECT_EQ(now.body["attachmentId"], doc["attachmentId"]);
  EXPECT_TRUE(download("doc-1") == kept);
}

TEST_F(AttachmentStorageTest, ARecordChangedDuringTheUploadWinsAndTheNewBodyIsDropped) {
  start(db_);
  json doc = new_document("doc-1");
  doc = upload(doc, pattern_bytes(1000, 4));
  RawConnection c(server_->port());
  ASSERT_TRUE(c.send(head("PUT", upload_path(doc), alice_->token(), "Content-Length: 200000")));
  ASSERT_TRUE(c.send(std::string(100'000, 'r')));
  // Meanwhile the attachment is replaced through another connection (a new revision).
  const json replaced = upload(doc, pattern_bytes(2000, 5));
  ASSERT_TRUE(c.send(std::string(100'000, 'r')));
  const std::string reply = c.receive_all();
  EXPECT_EQ(status_of(reply), 409) << reply.substr(0, 300);
  EXPECT_EQ(files_settling_to({replaced["attachmentId"].get<std::string>()}),
            std::vector<std::string>{replaced["attachmentId"].get<std::string>()});
  EXPECT_TRUE(download("doc-1") == pattern_bytes(2000, 5));
}

TEST_F(AttachmentStorageTest, AnOversizedAttachmentGets413BeforeItsBodyIsRead) {
  start(db_, {"--max-body-bytes", "65536", "--max-attachment-bytes", "100000"});
  json doc = new_document("doc-1");
  doc = upload(doc, pattern_bytes(100'000, 6));  // exactly the limit: accepted
  {                                              // The headers alone get the answer.
    RawConnection c(server_->port());
    ASSERT_TRUE(c.send(head("PUT", upload_path(doc), alice_->token(), "Content-Length: 1000000000000")));
    const std::string reply = c.receive_all();
    EXPECT_EQ(status_of(reply), 413) << reply.substr(0, 300);
    EXPECT_NE(reply.find("--max-attachment-bytes"), std::string::npos) << reply.substr(0, 300);
  }
  {  // A client that sends on regardless is cut off long before its 256 MiB are in.
    RawConnection c(server_->port());
    const std::size_t taken = body_bytes_taken(
        c, head("PUT", upload_path(doc), alice_->token(), "Content-Length: 1000000000000"), 256u << 20, false);
    EXPECT_LT(taken, 64u << 20) << "the server read the body of a request it had refused";
  }
  {  // One byte over, body sent: 413, and the reply says the connection ends (it is not drained).
    RawConnection c(server_->port());
    ASSERT_TRUE(c.send(head("PUT", upload_path(doc), alice_->token(), "Content-Length: 100001")));
    ASSERT_TRUE(c.send(std::string(100'001, 'o')));
    const std::string reply = c.receive_all();
    EXPECT_EQ(status_of(reply), 413) << reply.substr(0, 300);
    EXPECT_NE(reply.substr(0, reply.find("\r\n\r\n")).find("Connection: close"), std::string::npos)
        << "the connection is closed after this reply; a keep-alive client must be told\n"
        << reply.substr(0, 300);
  }
  // One byte over the limit with a Content-Length: 413 too, and nothing changed.
  const auto over = alice_->request("PUT", upload_path(doc), std::string(100'001, 'o'), {}, "application/octet-stream");
  EXPECT_EQ(over.status, 413) << over.raw.substr(0, 300);
  EXPECT_TRUE(download("doc-1") == pattern_bytes(100'000, 6));
  EXPECT_EQ(files().size(), 1u);
}

TEST_F(AttachmentStorageTest, ABodyOnAMethodWithoutOneIsRefusedAndNeverReadAsTheNextRequest) {
  start(db_);
  // cpp-httplib reads no body on GET/HEAD/DELETE without a length: the bytes would be the next
  // request on the connection. The server refuses the request and closes the connection.
  const std::string smuggled = "GET /rest/v2/helement/none HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (const char* method : {"GET", "HEAD", "DELETE"}) {
    for (const bool chunked : {true, false}) {
      if (!chunked && std::string_view(method) == "DELETE") continue;  // a DELETE's length is read as its body
      RawConnection c(server_->port());
      const std::string framing = chunked ? std::string("Transfer-Encoding: chunked")
                                          : "Content-Length: " + std::to_string(smuggled.size());
      ASSERT_TRUE(c.send(head(method, "/rest/v2/helement/none", alice_->token(), framing) +
                         (chunked ? chunk(smuggled) + "0\r\n\r\n" : smuggled)));
      const std::string reply = c.receive_all();
      EXPECT_EQ(status_of(reply), 400) << method << " " << reply.substr(0, 300);
      std::size_t responses = 0;
      for (auto at = reply.find("HTTP/1.1 "); at != std::string::npos; at = reply.find("HTTP/1.1 ", at + 1)) ++responses;
      EXPECT_EQ(responses, 1u) << method << (chunked ? " chunked" : " with a length")
                               << ": the body was read as another request";
    }
  }
}

TEST_F(AttachmentStorageTest, JsonBodiesOverTheLimitAreRefusedBeforeTheyAreRead) {
  start(db_);
  for (const char* encoding : {"chunked", "Chunked", "CHUNKED"}) {
    // Chunked JSON (any spelling) is refused at once, however much the client sends.
    RawConnection c(server_->port());
    const std::size_t taken = body_bytes_taken(
        c, head("POST", "/rest/v2/helement", alice_->token(), std::string("Transfer-Encoding: ") + encoding),
        256u << 20, true);
    EXPECT_LT(taken, 64u << 20) << encoding << ": the server read a chunked JSON body";
  }
  {  // Content-Length over --max-body-bytes and over the 64 MiB read-and-drop bound: cut off.
    RawConnection c(server_->port());
    const std::size_t taken = body_bytes_taken(
        c, head("POST", "/rest/v2/helement", alice_->token(), "Content-Length: 268435456"), 256u << 20, false);
    EXPECT_LT(taken, 64u << 20) << "the server read a JSON body over its limit";
  }
  {  // The headers alone get the answer, also for a body without any length.
    RawConnection c(server_->port());
    ASSERT_TRUE(c.send(head("POST", "/rest/v2/helement", alice_->token(), "Content-Length: 268435456")));
    EXPECT_EQ(status_of(c.receive_all()), 413);
    RawConnection unframed(server_->port());
    ASSERT_TRUE(unframed.send(head("POST", "/rest/v2/helement", alice_->token(), "X-No-Length: 1")));
    const std::string reply = unframed.receive_all();
    EXPECT_EQ(status_of(reply), 411) << reply.substr(0, 300);
    EXPECT_NE(reply.find("Content-Length"), std::string::npos) << reply.substr(0, 300);
  }
  // Under the 64 MiB bound the body is read and dropped, so an ordinary client gets the 413.
  const auto r = alice_->request("POST", "/rest/v2/helement", std::string(1'000'000, 'j'));
  EXPECT_EQ(r.status, 413) << r.raw.substr(0, 300);
  EXPECT_NE(r.raw.find("--max-body-bytes"), std::string::npos) << r.raw.substr(0, 300);
  EXPECT_EQ(alice_->get("/rest/v2/user/current").status, 200) << "still alive";
}

TEST_F(AttachmentStorageTest, InMemoryStoreKeepsItsFilesInATemporaryFolderRemovedOnStop) {
  const fs::path tmp = dir_ / "tmp";
  fs::create_directories(tmp);
  const char* old_tmpdir = std::getenv("TMPDIR");
  const std::string saved = old_tmpdir ? old_tmpdir : "";
  setenv("TMPDIR", tmp.c_str(), 1);
  start(":memory:");
  if (old_tmpdir)
    setenv("TMPDIR", saved.c_str(), 1);
  else
    unsetenv("TMPDIR");
  auto in_memory_folders = [&] {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(tmp)) {
      if (e.path().filename().string().rfind("cardinal-devserver-attachments-", 0) == 0) out.push_back(e.path());
    }
    return out;
  };
  const auto folders = in_memory_folders();
  ASSERT_EQ(folders.size(), 1u);
  json doc = new_document("doc-1");
  const std::string bytes = pattern_bytes(70'000, 7);
  doc = upload(doc, bytes);
  EXPECT_TRUE(read_file(folders[0] / doc["attachmentId"].get<std::string>()) == bytes);
  EXPECT_TRUE(download("doc-1") == bytes);
  EXPECT_EQ(server_->stop(), 0);
  EXPECT_TRUE(in_memory_folders().empty()) << "the in-memory store's folder outlived the server";
}

TEST_F(AttachmentStorageTest, AttachmentBlobsOfAnOlderDatabaseBecomeFiles) {
  start(db_);
  json doc = new_document("doc-1");
  server_->stop();
  const std::string legacy_id(32, 'a');
  const std::string bytes = pattern_bytes(50'000, 8);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE attachments (id TEXT PRIMARY KEY NOT NULL, data BLOB NOT NULL)", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO attachments (id, data) VALUES (?1, ?2)", -1, &st, nullptr), SQLITE_OK);
  sqlite3_bind_text(st, 1, legacy_id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob(st, 2, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  const std::string sql = "UPDATE documents SET doc = json_set(doc, '$.attachmentId', '" + legacy_id + "', '$.size', " +
                          std::to_string(bytes.size()) + ") WHERE id = 'doc-1'";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  server_->start({"--max-body-bytes", "65536"});
  alice_ = std::make_unique<Client>(server_->port());
  ASSERT_EQ(alice_->login("alice", "alice-pw").status, 200);
  EXPECT_TRUE(download("doc-1") == bytes);
  EXPECT_EQ(files(), std::vector<std::string>{legacy_id});
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "SELECT 1 FROM attachments", nullptr, nullptr, nullptr), SQLITE_OK) << "table kept";
  sqlite3_close(db);
}

TEST_F(AttachmentStorageTest, ATamperedAttachmentIdNeverNamesAFileOutsideTheFolder) {
  start(db_);
  json doc = new_document("doc-1");
  doc = upload(doc, pattern_bytes(1000, 9));
  std::ofstream(dir_ / "secret.txt") << "outside";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  for (const std::string& id : std::vector<std::string>{"../secret.txt", "/etc/passwd", std::string(32, 'A')}) {
    const std::string sql =
        "UPDATE documents SET doc = json_set(doc, '$.attachmentId', '" + id + "') WHERE id = 'doc-1'";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    const auto r = alice_->get("/rest/v2/document/doc-1/attachment");
    EXPECT_EQ(r.status, 404) << id << ": " << r.raw.substr(0, 200);
  }
  sqlite3_close(db);
}

}  // namespace
}  // namespace devserver_test
