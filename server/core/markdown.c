/* markdown.c — Markdown to inert HTML with cmark (markdown.h). cmark's
 * safe mode (the default since 0.29) drops raw HTML; we additionally empty
 * every link and image destination that names a scheme other than http,
 * https or mailto, because cmark's own filter still lets data:image/png,
 * gif, jpeg and webp through and knows nothing of other schemes. */
#include "sinau/markdown.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>

#include "sinau/common.h"

/* Options for both parsing and rendering: safe (no CMARK_OPT_UNSAFE), no
 * smart punctuation (quotes stay as written), invalid UTF-8 replaced. */
#define MD_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

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

char *markdown_render(const char *md, size_t len)
{
    cmark_node *doc = NULL;
    char *html = NULL;

    doc = cmark_parse_document(md != NULL ? md : "", md != NULL ? len : 0, MD_OPTIONS);
    if (doc == NULL)
        goto out;
    if (scrub_urls(doc) < 0)
        goto out;
    /* cmark's default allocator is the C library's: free() releases it */
    html = cmark_render_html(doc, MD_OPTIONS);
out:
    if (doc != NULL)
        cmark_node_free(doc); /* unlike ours, cmark's free functions refuse NULL */
    return html;
}
