/* web.c — the router's misses: files of web/, versioned assets and the app
 * shell, with caching and gzip (web.h). */
#include "sinau/http/web.h"

#include "internal.h"
#include "sinau/http/reply.h"
#include "sinau/http/static_files.h"

#define CACHE_IMMUTABLE  "public, max-age=31536000, immutable"
#define CACHE_REVALIDATE "no-cache"

static bool is_get(const http_ctx *ctx)
{
    return ctx->method == ROUTER_GET || ctx->method == ROUTER_HEAD;
}

/* Sends the file of hit: 304 when the client's tag matches the
 * representation chosen, else 200 with its bytes. */
static void send_file(http_ctx *ctx, const static_hit *hit)
{
    const static_file *f = hit->file;
    bool gz = f->gz_data != NULL && static_accepts_gzip(http_header(ctx, "Accept-Encoding"));
    const char *etag = gz ? f->gz_etag : f->etag;

    http_add_header(ctx, "Cache-Control", hit->immutable ? CACHE_IMMUTABLE : CACHE_REVALIDATE);
    http_add_header(ctx, "ETag", etag);
    if (f->gz_data != NULL) {
        http_add_header(ctx, "Vary", "Accept-Encoding");
    }
    if (static_etag_matches(http_header(ctx, "If-None-Match"), etag)) {
        http_reply_empty(ctx, 304);
        return;
    }
    if (gz) {
        http_add_header(ctx, "Content-Encoding", "gzip");
        http_reply_static(ctx, 200, f->content_type, f->gz_data, f->gz_len);
        return;
    }
    /* borrowed, no copy; a HEAD answer gets the length and no bytes */
    http_reply_static(ctx, 200, f->content_type, f->data, f->len);
}

void web_serve(http_ctx *ctx)
{
    static_hit hit;
    char allow[96];

    if (!static_store_resolve(request_loop(ctx)->o.web, ctx->path, &hit) ||
        (hit.shell && !is_get(ctx))) {
        http_reply_error(ctx, 404, "not_found", "no such resource");
        return;
    }
    if (!is_get(ctx)) {
        http_add_header(ctx, "Allow",
                        router_allow_header(ROUTER_GET | ROUTER_HEAD, allow, sizeof allow));
        http_reply_error(ctx, 405, "method_not_allowed", "this method is not allowed here");
        return;
    }
    send_file(ctx, &hit);
}
