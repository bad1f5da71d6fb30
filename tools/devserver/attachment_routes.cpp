// Document attachments: PUT /rest/v2/document/{id}/attachment (raw body, streamed to a temporary
// file and bounded by --max-attachment-bytes), GET …/attachment[/{attachmentId}] (streamed from
// the file), DELETE …/attachment?rev=. The bodies are files (attachment_store.hpp), never whole in
// memory; the body limits before routing are body_limits.cpp.
#include <algorithm>
#include <cerrno>
#include <iostream>
#include <memory>
#include <sstream>
#include <system_error>
#include <vector>

#include "body_limits.hpp"
#include "routes.hpp"
#include "store.hpp"
#include "util.hpp"

namespace devserver {

namespace {

// Past the limit (or after an error) the body is read on up to this bound without keeping
// anything, so that the client gets the reply instead of a connection reset.
constexpr std::size_t kMaxDiscardedBytes = 64u * 1024u * 1024u;
constexpr std::size_t kReadPiece = 256u * 1024u;
const EntityKind& document_kind() { return kEntityKinds[2]; }

void require_rev(const httplib::Request& req, const json& doc) {
  if (!req.has_param("rev")) fail(400, "rev is required");
  if (req.get_param_value("rev") != rev_of(doc)) fail(409, "Outdated revision");
}

std::vector<std::string> utis_of(const httplib::Request& req) {
  std::vector<std::string> utis;
  for (std::size_t i = 0; i < req.get_param_value_count("utis"); ++i) {
    std::stringstream ss(req.get_param_value("utis", i));
    std::string u;
    while (std::getline(ss, u, ',')) {
      if (!u.empty()) utis.push_back(u);
    }
  }
  return utis;
}

[[noreturn]] void fail_storage(const std::system_error& e, const std::string& doc_id) {
  if (e.code() == std::errc::no_space_on_device || e.code().value() == EDQUOT) {
    fail(507, "No room left on the devserver's disk for the attachment of Document " + doc_id +
                  ": the previous attachment is kept");
  }
  std::cerr << "attachment of " << doc_id << ": " << e.what() << '\n';
  fail(500, "The attachment of Document " + doc_id + " could not be stored: the previous attachment is kept");
}

// The body of one upload, streamed into `upload`. Reads at most once from the request.
class BodyReceiver {
 public:
  BodyReceiver(const httplib::ContentReader& reader, std::size_t limit) : reader_(reader), limit_(limit) {}

  // Receives the whole body into `upload`; throws HttpError (413, 400, 507, 500) otherwise.
  void receive(Upload& upload, const std::string& doc_id) {
    read_ = true;
    bool too_large = false;
    std::optional<std::system_error> write_error;
    complete_ = reader_([&](const char* data, std::size_t len) {
      if (!too_large && !write_error) {
        if (upload.size() + len > limit_) {
          too_large = true;
        } else {
          try {
            upload.append(data, len);
            return true;
          } catch (const std::system_error& e) {
            write_error = e;
          }
        }
      }
      discarded_ += len;
      return discarded_ <= kMaxDiscardedBytes;
    });
    if (too_large) fail(413, too_large_message(limit_, "--max-attachment-bytes"));
    if (write_error) fail_storage(*write_error, doc_id);
    // Never store a partial attachment.
    if (!complete_) fail(400, "The attachment body of Document " + doc_id + " could not be read completely");
    try {
      upload.finish();
    } catch (const std::system_error& e) {
      fail_storage(e, doc_id);
    }
  }

  // A request refused before its body was read: reads it (bounded) and drops it.
  void drop_unread() {
    if (read_) return;
    read_ = true;
    complete_ = reader_([&](const char*, std::size_t len) {
      discarded_ += len;
      return discarded_ <= kMaxDiscardedBytes;
    });
  }
  // Whether the whole body was read (the connection can then serve the next request).
  [[nodiscard]] bool complete() const { return complete_; }

 private:
  const httplib::ContentReader& reader_;
  std::size_t limit_;
  bool read_ = false;
  bool complete_ = false;
  std::size_t discarded_ = 0;
};

LoadedEntity writable_document(Context& ctx, const httplib::Request& req) {
  Caller c = ctx.authenticate(req);
  auto e = load_writable(ctx.db, document_kind(), req.matches[1].str(), c);
  require_rev(req, e.doc);
  return e;
}

// Who, which record and which revision are checked before the body is read, and again once it is
// in (the record may have changed meanwhile: 409, and the new body is dropped).
Reply store_attachment(Context& ctx, const httplib::Request& req, BodyReceiver& body) {
  const std::string id = req.matches[1].str();
  ctx.db.transaction([&] { writable_document(ctx, req); });
  Upload upload = ctx.db.attachments().begin_upload();
  body.receive(upload, id);
  return ctx.db.transaction([&] {
    auto e = writable_document(ctx, req);
    const std::string attachment_id = random_hex(16);
    ctx.db.place_attachment(upload, attachment_id);
    const std::string old = string_field(e.doc, "attachmentId");
    if (!old.empty()) ctx.db.drop_attachment(old);
    e.doc["attachmentId"] = attachment_id;
    e.doc["size"] = upload.size();
    const auto utis = utis_of(req);
    if (!utis.empty()) {
      e.doc["mainUti"] = utis.front();
      e.doc["otherUtis"] = std::vector<std::string>(utis.begin() + 1, utis.end());
    }
    e.doc["rev"] = next_rev(e.doc);
    ctx.db.put(document_kind().table, id, e.doc);
    return json_reply(e.doc);
  });
}

void register_upload(Context& ctx) {
  ctx.http.Put(R"(/rest/v2/document/([^/]+)/attachment)",
               [&ctx](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                 BodyReceiver body(reader, ctx.options.max_attachment_bytes);
                 ctx.respond(res, [&] { return store_attachment(ctx, req, body); });
                 if (res.status < 400) return;
                 body.drop_unread();
                 if (!body.complete()) {
                   res.set_header("Connection", "close");
                   close_after_reply(req);
                 }
               });
}

std::shared_ptr<const AttachmentFile> open_attachment(Context& ctx, const httplib::Request& req) {
  Caller c = ctx.authenticate(req);
  const std::string id = req.matches[1].str();
  const auto e = load_readable(ctx.db, document_kind(), id, c);
  const std::string attachment_id = string_field(e.doc, "attachmentId");
  if (attachment_id.empty()) fail(404, "The document has no main attachment");
  if (req.matches.size() > 2 && req.matches[2].str() != attachment_id) fail(404, "No such attachment");
  auto file = ctx.db.attachments().open(attachment_id);
  if (!file) fail(404, "The attachment of Document " + id + " is missing");
  return file;
}

// Streams the file (Content-Length known); the open file outlives the transaction.
void serve_attachment(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  std::shared_ptr<const AttachmentFile> file;
  ctx.respond(res, [&] {
    file = ctx.db.transaction([&] { return open_attachment(ctx, req); });
    return Reply{200, {}, "application/octet-stream"};
  });
  if (!file || res.status != 200 || file->size() == 0) return;
  res.headers.erase("Content-Type");
  auto piece = std::make_shared<std::vector<char>>(kReadPiece);
  res.set_content_provider(static_cast<std::size_t>(file->size()), "application/octet-stream",
                           [file, piece](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             try {
                               const std::size_t n =
                                   file->read_at(offset, piece->data(), std::min(length, piece->size()));
                               // A file shorter than announced: the connection is cut, never padded.
                               return n > 0 && sink.write(piece->data(), n);
                             } catch (const std::system_error& e) {
                               std::cerr << "attachment download: " << e.what() << '\n';
                               return false;
                             }
                           });
}

Reply delete_attachment(Db& db, const httplib::Request& req, const Caller& c) {
  const std::string id = req.matches[1].str();
  auto e = load_writable(db, document_kind(), id, c);
  require_rev(req, e.doc);
  const std::string old = string_field(e.doc, "attachmentId");
  if (!old.empty()) db.drop_attachment(old);
  for (const char* f : {"attachmentId", "size", "mainUti", "otherUtis"}) e.doc.erase(f);
  e.doc["rev"] = next_rev(e.doc);
  db.put(document_kind().table, id, e.doc);
  return json_reply(e.doc);
}

}  // namespace

void register_attachment_routes(Context& ctx) {
  register_upload(ctx);
  const httplib::Server::Handler get = [&ctx](const httplib::Request& req, httplib::Response& res) {
    serve_attachment(ctx, req, res);
  };
  ctx.http.Get(R"(/rest/v2/document/([^/]+)/attachment)", get);
  ctx.http.Get(R"(/rest/v2/document/([^/]+)/attachment/([^/]+))", get);
  Db* db = &ctx.db;
  ctx.http.Delete(R"(/rest/v2/document/([^/]+)/attachment)",
                  ctx.authed([db](const httplib::Request& req, Caller& c) { return delete_attachment(*db, req, c); }));
}

}  // namespace devserver
