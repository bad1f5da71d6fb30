// Request body limits, decided from the headers before any byte of the body is read (a
// pre-routing handler): cpp-httplib would otherwise read a body into memory before any route can
// look at its size, up to its one global limit, and without any limit when the body is chunked or
// has no length at all.
//
// * The attachment upload (PUT /rest/v2/document/{id}/attachment) takes a Content-Length up to
//   --max-attachment-bytes or a chunked body (bounded while it is streamed, attachment_routes.cpp).
// * Every other body is JSON: a Content-Length up to --max-body-bytes; chunked bodies get 411.
// * A body without a Content-Length (and not chunked) gets 411, a malformed or repeated
//   Content-Length 400, a Content-Length over the route's limit 413.
// A refused body of at most 64 MiB is read and dropped before the reply (so that a client still
// sending gets it); past that the reply goes out at once and the connection is closed.
//
// Closing: cpp-httplib keeps a connection open after any reply, whatever its Connection header,
// and would read the rest of a refused body as the next requests. close_after_reply() marks the
// current request's connection; end_of_reply() (called from the server's logger, which
// cpp-httplib calls once the reply is written) then closes it.
//
// Thread safety: the handlers only read `options`, which must outlive the server.
#pragma once

#include <httplib.h>

#include "server.hpp"

namespace devserver {

// PUT /rest/v2/document/{id}/attachment.
bool is_attachment_upload(const httplib::Request& req);

// Closes the current request's connection once its reply is written (call from a handler, or the
// pre-routing handler, on the request's own thread): for replies sent before the body was read.
void close_after_reply(const httplib::Request& req);
// The reply to `req` is written: closes its connection if close_after_reply() marked it.
void end_of_reply(const httplib::Request& req);

// Installs the pre-routing handler (the server has no other) and the routes that drop refused bodies.
void install_body_limits(httplib::Server& http, const Options& options);

}  // namespace devserver
