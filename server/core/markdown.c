/* markdown.c — Markdown to inert HTML with cmark-gfm (markdown.h):
 * CommonMark plus GitHub's tables and strikethrough. cmark's safe mode (the
 * default since 0.29) drops raw HTML; we additionally empty every link and
 * image destination that names a scheme other than http, https or mailto,
 * because cmark's own filter still lets data:image/png, gif, jpeg and webp
 * through and knows nothing of other schemes. Images load lazily: lessons
 * are read on phones on mobile data. */
#include "sinau/core/markdown.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "sinau/core/alloc.h"
#include "sinau/core/common.h"

/* Options for both parsing and rendering: safe (no CMARK_OPT_UNSAFE), no
 * smart punctuation (quotes stay as written), invalid UTF-8 replaced,
 * strikethrough only with two tildes (~~so~~: one tilde is ordinary text
 * in Indonesian writing, "~ 10 menit"). */
#define MD_OPTIONS                                                                                 \
    (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE)

/* The GitHub extensions lessons may use. */
static const char *const extensions[] = {"table", "strikethrough"};

/* cmark-gfm's registry of extensions is filled once per process; its own
 * "ensure" is not safe to race, and renders run on several workers. */
static pthread_once_t registered = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

/* What a browser skips before a URL and removes inside it (WHATWG URL:
 * leading C0 controls and space; tab and newlines anywhere). */
static bool url_ignored_lead(unsigned char c)
{
    return c <= 0x20;
}

static bool url_ignored_inside(unsigned char c)
{
    return c == '\t' || c == '\n' || c == '\r';
}

/* Is url relative, or absolute with an allowed scheme? The scheme is
 * whatever precedes the first ':' that comes before any '/', '?' or '#'.
 * Stricter than RFC 3986 on purpose: any such prefix counts, even one that
 * is not a well-formed scheme ("java\tscript", "\xC2\xA0javascript"), so
 * a browser that reads it more loosely than we do still finds nothing to
 * run. */
static bool url_allowed(const char *url)
{
    static const char *const allowed[] = {"http", "https", "mailto"};
    char scheme[8];
    size_t n = 0;
    const char *p = url;

    while (*p != '\0' && url_ignored_lead((unsigned char)*p))
        p++;
    for (; *p != ':'; p++) {
        if (*p == '\0' || *p == '/' || *p == '?' || *p == '#')
            return true; /* no scheme: relative */
        if (url_ignored_inside((unsigned char)*p))
            continue;
        if (n < sizeof scheme)
            scheme[n] = *p;
        n++;
    }
    if (n >= sizeof scheme)
        return false; /* longer than any allowed scheme */
    scheme[n] = '\0';
    for (size_t i = 0; i < SINAU_ARRAY_LEN(allowed); i++) {
        if (strcasecmp(scheme, allowed[i]) == 0)
            return true;
    }
    return false;
}

/* Empties the destination of every link and image with a refused scheme.
 * Returns 0, or -1 when out of memory. */
static int scrub_urls(cmark_node *root)
{
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    int rc = 0;

    if (it == NULL)
        return -1;
    for (ev = cmark_iter_next(it); ev != CMARK_EVENT_DONE; ev = cmark_iter_next(it)) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(node);
        const char *url;

        if (ev != CMARK_EVENT_ENTER || (type != CMARK_NODE_LINK && type != CMARK_NODE_IMAGE))
            continue;
        url = cmark_node_get_url(node);
        if (url != NULL && !url_allowed(url) && cmark_node_set_url(node, "") == 0) {
            rc = -1;
            break;
        }
    }
    cmark_iter_free(it);
    return rc;
}

/* Adds loading="lazy" to every image: html is cmark's output, in which
 * "<img " can only be an image (text and code have their '<' escaped, raw
 * HTML is omitted). Returns a new string (free()) and frees html; NULL
 * when out of memory. */
static char *lazy_images(char *html)
{
    static const char tag[] = "<img ", lazy[] = "<img loading=\"lazy\" ";
    size_t n = 0, len = strlen(html), o = 0;
    char *out;

    for (const char *p = strstr(html, tag); p != NULL; p = strstr(p + 1, tag))
        n++;
    if (n == 0)
        return html;
    out = xmalloc(len + n * (sizeof lazy - sizeof tag) + 1);
    if (out != NULL) {
        const char *from = html;
        for (const char *p = strstr(from, tag); p != NULL; p = strstr(from, tag)) {
            memcpy(out + o, from, (size_t)(p - from));
            o += (size_t)(p - from);
            memcpy(out + o, lazy, sizeof lazy - 1);
            o += sizeof lazy - 1;
            from = p + sizeof tag - 1;
        }
        memcpy(out + o, from, strlen(from) + 1);
    }
    free(html);
    return out;
}

/* A parser with the extensions attached; NULL when out of memory. */
static cmark_parser *parser_new(void)
{
    cmark_parser *p;

    pthread_once(&registered, register_extensions);
    p = cmark_parser_new(MD_OPTIONS);
    if (p == NULL)
        return NULL;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(extensions); i++) {
        cmark_syntax_extension *ext = cmark_find_syntax_extension(extensions[i]);
        if (ext == NULL || cmark_parser_attach_syntax_extension(p, ext) == 0) {
            cmark_parser_free(p);
            return NULL;
        }
    }
    return p;
}

char *markdown_render(const char *md, size_t len)
{
    cmark_parser *parser = parser_new();
    cmark_node *doc = NULL;
    char *html = NULL;

    if (parser == NULL)
        goto out;
    cmark_parser_feed(parser, md != NULL ? md : "", md != NULL ? len : 0);
    doc = cmark_parser_finish(parser);
    if (doc == NULL)
        goto out;
    if (scrub_urls(doc) < 0)
        goto out;
    /* cmark's default allocator is the C library's: free() releases it */
    html = cmark_render_html(doc, MD_OPTIONS, cmark_parser_get_syntax_extensions(parser));
    if (html != NULL)
        html = lazy_images(html);
out:
    /* unlike ours, cmark's free functions refuse NULL */
    if (doc != NULL)
        cmark_node_free(doc);
    if (parser != NULL)
        cmark_parser_free(parser);
    return html;
}
