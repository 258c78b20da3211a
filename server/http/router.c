/* router.c — (method, path) → route, by a scan of compiled patterns.
 *
 * Each pattern is split once, at router_add, into segments that are either
 * literal or `{param}`, and filed by its segment count. A request path is
 * split the same way and compared with the patterns of its segment count
 * only (a few dozen at most: a scan is simpler than a trie and fast enough). Among the patterns
 * that match, the most specific "shape" wins: reading left to right, the first depth where one has
 * a literal and the other a parameter decides for the literal. The path then belongs to that shape
 * alone: its rows give the allowed methods, and a method none of them serves is 405, even when a
 * less specific shape would serve it (so "DELETE /cohorts/mine" never reaches "/cohorts/{id}"). */
#include "sinau/http/router.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"
#include "sinau/core/vec.h"

#define ROUTER_MAX_PATH 2048

/* One segment of a pattern or a path; text borrowed from either. */
typedef struct segment {
    const char *s; /* for a parameter: its name, without braces */
    size_t len;
    bool param;
} segment;

/* A compiled row: the borrowed route and its segments. */
typedef struct compiled {
    const http_route *route;
    int nseg;
    int nparams;
    unsigned rank; /* bit (MAX-1-i) set when segment i is a parameter: lower is more specific */
    segment seg[ROUTER_MAX_SEGMENTS];
} compiled;

/* The rows of one segment count (a path is only ever compared with these). */
typedef struct bucket {
    unsigned *rows; /* indices into router.rows, insertion order */
    size_t n, cap;
} bucket;

struct router {
    compiled *rows;            /* owned, insertion order */
    const http_route **routes; /* owned array of borrowed rows, insertion order */
    size_t n;
    size_t cap;
    bucket by_nseg[ROUTER_MAX_SEGMENTS + 1];
};

router *router_new(void)
{
    return xcalloc(1, sizeof(router));
}

void router_free(router *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < SINAU_ARRAY_LEN(r->by_nseg); i++)
        free(r->by_nseg[i].rows);
    free(r->rows);
    free(r->routes);
    free(r);
}

/* Splits path (starting with '/') into at most max segments. "/" has none;
 * "/a/" has two ("a" and ""). Returns the count, or -1 when there are more
 * than max. */
static int split_path(const char *path, size_t len, segment *out, int max)
{
    int n = 0;
    size_t i = 1;

    if (len == 1) {
        return 0;
    }
    while (i <= len) {
        const char *slash = memchr(path + i, '/', len - i);
        size_t end = slash != NULL ? (size_t)(slash - path) : len;

        if (n == max) {
            return -1;
        }
        out[n].s = path + i;
        out[n].len = end - i;
        out[n].param = false;
        n++;
        i = end + 1;
    }
    return n;
}

/* Turns the literal segments of a split pattern into parameters where they
 * are `{name}`. Returns 0, or -1 for empty segments, stray braces, empty or
 * repeated names or too many parameters. */
static int compile_segments(compiled *c)
{
    for (int i = 0; i < c->nseg; i++) {
        segment *sg = &c->seg[i];

        if (sg->len == 0) {
            return -1; /* "//" or a trailing slash: no path could match it */
        }
        if (sg->s[0] == '{') {
            if (sg->len < 3 || sg->s[sg->len - 1] != '}') {
                return -1;
            }
            sg->s++;
            sg->len -= 2;
            sg->param = true;
        }
        if (memchr(sg->s, '{', sg->len) != NULL || memchr(sg->s, '}', sg->len) != NULL) {
            return -1;
        }
        if (sg->param) {
            if (c->nparams == ROUTER_MAX_PARAMS) {
                return -1;
            }
            for (int j = 0; j < i; j++) {
                if (c->seg[j].param && c->seg[j].len == sg->len &&
                    memcmp(c->seg[j].s, sg->s, sg->len) == 0) {
                    return -1;
                }
            }
            c->nparams++;
            c->rank |= 1u << (ROUTER_MAX_SEGMENTS - 1 - i);
        }
    }
    return 0;
}

/* Compiles route's pattern into *c. Returns 0 or -1 when malformed. */
static int compile_route(const http_route *route, compiled *c)
{
    const char *p = route->pattern;
    size_t len;

    memset(c, 0, sizeof(*c));
    c->route = route;
    if (p == NULL || p[0] != '/' || route->methods == 0) {
        return -1;
    }
    len = strlen(p);
    if (len > ROUTER_MAX_PATH) {
        return -1;
    }
    c->nseg = split_path(p, len, c->seg, ROUTER_MAX_SEGMENTS);
    if (c->nseg < 0) {
        return -1;
    }
    return compile_segments(c);
}

/* True when a and b have the same shape: the same literals at the same
 * depths and parameters (whatever their names) at the same depths. */
static bool same_shape(const compiled *a, const compiled *b)
{
    if (a->nseg != b->nseg || a->rank != b->rank) {
        return false;
    }
    for (int i = 0; i < a->nseg; i++) {
        if (!a->seg[i].param && (a->seg[i].len != b->seg[i].len ||
                                 memcmp(a->seg[i].s, b->seg[i].s, a->seg[i].len) != 0)) {
            return false;
        }
    }
    return true;
}

int router_add(router *r, const http_route *route)
{
    compiled c;
    bucket *b;

    if (r == NULL || route == NULL || compile_route(route, &c) != 0) {
        return -1;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (same_shape(&r->rows[i], &c) && (r->rows[i].route->methods & route->methods) != 0) {
            return -1;
        }
    }
    if (r->n == r->cap) { /* routes[] is parallel to rows[] */
        r->rows = vec_reserve(r->rows, &r->cap, r->n + 1, sizeof(*r->rows), 32);
        r->routes = vec_resize(r->routes, r->cap, sizeof(*r->routes));
    }
    b = &r->by_nseg[c.nseg];
    b->rows = vec_reserve(b->rows, &b->cap, b->n + 1, sizeof(*b->rows), 8);
    b->rows[b->n++] = (unsigned)r->n;
    r->rows[r->n] = c;
    r->routes[r->n] = route;
    r->n++;
    return 0;
}

int router_add_table(router *r, const http_route *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (router_add(r, &rows[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

/* True when the compiled pattern matches the split path. A parameter takes
 * any non-empty segment; a literal only itself. */
static bool row_matches(const compiled *c, const segment *path, int nseg)
{
    if (c->nseg != nseg) {
        return false;
    }
    for (int i = 0; i < nseg; i++) {
        const segment *sg = &c->seg[i];

        if (sg->param) {
            if (path[i].len == 0) {
                return false;
            }
        } else if (sg->len != path[i].len || memcmp(sg->s, path[i].s, sg->len) != 0) {
            return false;
        }
    }
    return true;
}

/* Methods a row answers: its own, plus HEAD when it serves GET. */
static unsigned effective_methods(const http_route *route)
{
    unsigned m = route->methods;

    if ((m & ROUTER_GET) != 0) {
        m |= ROUTER_HEAD;
    }
    return m;
}

/* Copies the parameters of the matched row into *m. */
static void fill_params(const compiled *c, const segment *path, router_match *m)
{
    m->nparams = 0;
    for (int i = 0; i < c->nseg; i++) {
        if (c->seg[i].param) {
            router_param *p = &m->params[m->nparams++];
            p->name = c->seg[i].s;
            p->name_len = c->seg[i].len;
            p->value = path[i].s;
            p->value_len = path[i].len;
        }
    }
}

/* Picks, among the rows of the winning shape, the one serving method. An
 * explicit HEAD row is preferred to the GET row answering HEAD. */
static const compiled *pick_row(const router *r, unsigned best_rank, const segment *path, int nseg,
                                unsigned method)
{
    const compiled *via_get = NULL;
    const bucket *b = &r->by_nseg[nseg];

    for (size_t i = 0; i < b->n; i++) {
        const compiled *c = &r->rows[b->rows[i]];

        if (c->rank != best_rank || !row_matches(c, path, nseg)) {
            continue;
        }
        if ((c->route->methods & method) != 0) {
            return c;
        }
        if (method == ROUTER_HEAD && (c->route->methods & ROUTER_GET) != 0) {
            via_get = c;
        }
    }
    return via_get;
}

enum router_result router_match_path(const router *r, unsigned method, const char *path,
                                     router_match *m)
{
    segment seg[ROUTER_MAX_SEGMENTS];
    unsigned best_rank = UINT_MAX;
    unsigned allowed = 0;
    const compiled *row;
    size_t len;
    int nseg;

    memset(m, 0, sizeof(*m));
    if (r == NULL || path == NULL || path[0] != '/') {
        return ROUTER_NOT_FOUND;
    }
    len = strnlen(path, ROUTER_MAX_PATH + 1);
    if (len > ROUTER_MAX_PATH) {
        return ROUTER_NOT_FOUND;
    }
    nseg = split_path(path, len, seg, ROUTER_MAX_SEGMENTS);
    if (nseg < 0) {
        return ROUTER_NOT_FOUND;
    }
    for (size_t i = 0; i < r->by_nseg[nseg].n; i++) {
        const compiled *c = &r->rows[r->by_nseg[nseg].rows[i]];

        if (c->rank > best_rank || !row_matches(c, seg, nseg)) {
            continue;
        }
        if (c->rank < best_rank) {
            best_rank = c->rank;
            allowed = 0;
        }
        allowed |= effective_methods(c->route);
    }
    if (allowed == 0) {
        return ROUTER_NOT_FOUND;
    }
    m->allowed = allowed;
    row = (allowed & method) != 0 ? pick_row(r, best_rank, seg, nseg, method) : NULL;
    if (row == NULL) {
        return ROUTER_METHOD_NOT_ALLOWED;
    }
    m->route = row->route;
    m->index = (unsigned)(row - r->rows) + 1;
    fill_params(row, seg, m);
    return ROUTER_FOUND;
}

/* The one table of method names, in the order an Allow header lists them. */
static const struct {
    unsigned bit;
    const char *name;
    size_t len;
} methods[] = {
    {ROUTER_GET, "GET", 3},     {ROUTER_HEAD, "HEAD", 4},     {ROUTER_POST, "POST", 4},
    {ROUTER_PUT, "PUT", 3},     {ROUTER_DELETE, "DELETE", 6}, {ROUTER_OPTIONS, "OPTIONS", 7},
    {ROUTER_PATCH, "PATCH", 5}, {ROUTER_TRACE, "TRACE", 5},   {ROUTER_CONNECT, "CONNECT", 7},
};

unsigned router_method_parse(const char *s, size_t n)
{
    for (size_t i = 0; i < SINAU_ARRAY_LEN(methods); i++)
        if (n == methods[i].len && s[0] == methods[i].name[0] && memcmp(s, methods[i].name, n) == 0)
            return methods[i].bit;
    return 0;
}

const char *router_method_name(unsigned bit)
{
    for (size_t i = 0; i < SINAU_ARRAY_LEN(methods); i++)
        if (methods[i].bit == bit)
            return methods[i].name;
    return NULL;
}

char *router_allow_header(unsigned methods_set, char *buf, size_t buflen)
{
    size_t used = 0;

    if (buf == NULL || buflen == 0) {
        return buf;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < SINAU_ARRAY_LEN(methods); i++) {
        const char *sep = used > 0 ? ", " : "";
        size_t need = strlen(sep) + methods[i].len;

        if ((methods_set & methods[i].bit) == 0) {
            continue;
        }
        if (used + need >= buflen) {
            break; /* whole names only: a truncated list is still well-formed */
        }
        memcpy(buf + used, sep, strlen(sep));
        memcpy(buf + used + strlen(sep), methods[i].name, methods[i].len);
        used += need;
        buf[used] = '\0';
    }
    return buf;
}

const http_route *const *router_routes(const router *r, size_t *n)
{
    *n = r != NULL ? r->n : 0;
    return r != NULL ? r->routes : NULL;
}
