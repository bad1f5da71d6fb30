// Document attachments: PUT /rest/v2/document/{id}/attachment (raw body, streamed and bounded by
// --max-attachment-bytes), GET …/attachment[/{attachmentId}], DELETE …/attachment?rev=.
#include <sstream>
#include <vector>

#include "routes.hpp"
#include "store.hpp"
#include "util.hpp"

namespace devserver {

namespace {

constexpr std::size_t kMaxDiscardedBytes = 64u * 1024u * 1024u;
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

Reply store_attachment(Db& db, const httplib::Request& req, const Caller& c) {
  const std::string id = req.matches[1].str();
  auto e = load_writable(db, document_kind(), id, c);
  require_rev(req, e.doc);
  const std::string old = string_field(e.doc, "attachmentId");
  if (!old.empty()) db.remove(table::kAttachments, old);
  const std::string attachment_id = random_hex(16);
  db.put_blob(attachment_id, req.body);
  e.doc["attachmentId"] = attachment_id;
  e.doc["size"] = req.body.size();
  const auto utis = utis_of(req);
  if (!utis.empty()) {
    e.doc["mainUti"] = utis.front();
    e.doc["otherUtis"] = std::vector<std::string>(utis.begin() + 1, utis.end());
  }
  e.doc["rev"] = next_rev(e.doc);
  db.put(document_kind().table, id, e.doc);
  return json_reply(e.doc);
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_header("Connection", "close");
  res.set_content(error_body(message).dump(), "application/json");
}

// Streams the body (Content-Length or chunked) and stops reading at max_attachment_bytes.
void register_upload(Context& ctx) {
  const httplib::Server::Handler upload = ctx.authed(
      [db = &ctx.db](const httplib::Request& req, Caller& c) { return store_attachment(*db, req, c); }, /*raw_body=*/true);
  const std::size_t limit = ctx.options.max_attachment_bytes;
  ctx.http.Put(R"(/rest/v2/document/([^/]+)/attachment)", [upload, limit](const httplib::Request& req, httplib::Response& res,
                                                                             const httplib::ContentReader& reader) {
    httplib::Request full = req;
    bool too_large = false;
    std::size_t discarded = 0;
    const bool complete = reader([&](const char* data, std::size_t len) {
      if (!too_large && full.body.size() + len > limit) {
        too_large = true;
        full.body.clear();
        full.body.shrink_to_fit();
      }
      if (!too_large) {
        full.body.append(data, len);
        return true;
      }
      // Past the limit: read on (up to a bound) without keeping anything, so that the
      // client gets the 413 instead of a connection reset.
      discarded += len;
      return discarded <= kMaxDiscardedBytes;
    });
    // cpp-httplib's own Content-Length check (above both limits) also ends here, as 413.
    if (too_large || res.status == 413) return reply_error(res, 413, too_large_message(limit, "--max-attachment-bytes"));
    // Never store a partial attachment.
    if (!complete) return reply_error(res, 400, "The attachment body could not be read completely");
    upload(full, res);
  });
}

Reply get_attachment(Db& db, const httplib::Request& req, const Caller& c) {
  const auto e = load_readable(db, document_kind(), req.matches[1].str(), c);
  const std::string attachment_id = string_field(e.doc, "attachmentId");
  if (attachment_id.empty()) fail(404, "The document has no main attachment");
  if (req.matches.size() > 2 && req.matches[2].str() != attachment_id) fail(404, "No such attachment");
  auto data = db.get_blob(attachment_id);
  if (!data) fail(404, "The attachment is missing");
  return Reply{200, std::move(*data), "application/octet-stream"};
}

Reply delete_attachment(Db& db, const httplib::Request& req, const Caller& c) {
  const std::string id = req.matches[1].str();
  auto e = load_writable(db, document_kind(), id, c);
  require_rev(req, e.doc);
  const std::string old = string_field(e.doc, "attachmentId");
  if (!old.empty()) db.remove(table::kAttachments, old);
  for (const char* f : {"attachmentId", "size", "mainUti", "otherUtis"}) e.doc.erase(f);
  e.doc["rev"] = next_rev(e.doc);
  db.put(document_kind().table, id, e.doc);
  return json_reply(e.doc);
}

}  // namespace

void register_attachment_routes(Context& ctx) {
  register_upload(ctx);
  Db* db = &ctx.db;
  const auto get = ctx.authed([db](const httplib::Request& req, Caller& c) { return get_attachment(*db, req, c); });
  ctx.http.Get(R"(/rest/v2/document/([^/]+)/attachment)", get);
  ctx.http.Get(R"(/rest/v2/document/([^/]+)/attachment/([^/]+))", get);
  ctx.http.Delete(R"(/rest/v2/document/([^/]+)/attachment)",
                  ctx.authed([db](const httplib::Request& req, Caller& c) { return delete_attachment(*db, req, c); }));
}

}  // namespace devserver
