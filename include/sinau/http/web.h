/* http/web.h — answering the requests no API route matched: the files of web/
 * and the web app's shell (static_files.h says what resolves to what). */
#ifndef SINAU_HTTP_WEB_H
#define SINAU_HTTP_WEB_H

#include "sinau/http/ctx.h"

/* Replies to a request the router did not match (always replies; ctx is gone
 * afterwards). GET and HEAD get the resolved file: versioned assets with
 * `Cache-Control: public, max-age=31536000, immutable`, everything else
 * `no-cache`; an ETag (304 on If-None-Match); the gzip copy with
 * `Content-Encoding: gzip` when the client accepts it, and `Vary:
 * Accept-Encoding` on every file that has one. Other methods on a file get
 * 405 with Allow; anything else 404 `not_found` (JSON). Loop thread only. */
void web_serve(http_ctx *ctx);

#endif /* SINAU_HTTP_WEB_H */
