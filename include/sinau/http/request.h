/* http/request.h — a request's life (server/http/request.c), as a route's
 * check_head sees it. Loop thread. */
#ifndef SINAU_HTTP_REQUEST_H
#define SINAU_HTTP_REQUEST_H

#include "sinau/http/ctx.h"

/* For a route's check_head (router.h): the head is accepted, so read the
 * body (sending 100 Continue when the client waits for it), then run the
 * route's handler. */
void http_proceed(http_ctx *ctx);

#endif /* SINAU_HTTP_REQUEST_H */
