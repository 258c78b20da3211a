/* fuzz_markdown.c — libFuzzer driver for markdown.c: any bytes must render
 * to valid UTF-8 whose only tags are the ones cmark writes for Markdown
 * (so no raw HTML got through), and whose every href and src is empty,
 * relative, or http, https or mailto. */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_check.h"
#include "sinau/core/common.h"
#include "sinau/core/markdown.h"

#define OMITTED "<!-- raw HTML omitted -->"

static bool valid_utf8(const unsigned char *p, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t n = p[i] < 0x80 ? 1 : p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : p[i] >= 0xC2 ? 2 : 0;
        if (n == 0 || p[i] == 0 || i + n > len)
            return false;
        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        }
        i += n;
    }
    return true;
}

/* Is the tag at s ("<name" or "</name") one cmark's HTML renderer writes? */
static bool known_tag(const char *s)
{
    static const char *const tags[] = {"p",      "h1", "h2",  "h3",         "h4",  "h5",    "h6",
                                       "ul",     "ol", "li",  "blockquote", "pre", "code",  "em",
                                       "strong", "a",  "img", "hr",         "br",  "table", "thead",
                                       "tbody",  "tr", "th",  "td",         "del"};
    size_t n;

    if (strncmp(s, OMITTED, strlen(OMITTED)) == 0)
        return true;
    s += s[1] == '/' ? 2 : 1;
    n = strcspn(s, " />");
    for (size_t i = 0; i < SINAU_ARRAY_LEN(tags); i++) {
        if (strlen(tags[i]) == n && strncmp(s, tags[i], n) == 0)
            return true;
    }
    return false;
}

/* An attribute value (up to the closing quote) that a browser reads as
 * relative or as http, https or mailto: a scheme is a letter followed by
 * letters, digits, '+', '-' or '.' up to a ':' (cmark percent-encodes
 * spaces and controls, so "%04https:" is a relative path). */
static bool safe_url(const char *v)
{
    size_t n = 0;

    if (!isalpha((unsigned char)v[0]))
        return true;
    while (isalnum((unsigned char)v[n]) || v[n] == '+' || v[n] == '-' || v[n] == '.')
        n++;
    if (v[n] != ':')
        return true;
    return (n == 4 && strncasecmp(v, "http", 4) == 0) ||
           (n == 5 && strncasecmp(v, "https", 5) == 0) ||
           (n == 6 && strncasecmp(v, "mailto", 6) == 0);
}

static void check_urls(const char *html, const char *attr)
{
    for (const char *p = strstr(html, attr); p != NULL; p = strstr(p + 1, attr))
        CHECK(safe_url(p + strlen(attr)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *html = markdown_render((const char *)data, size);

    CHECK(html != NULL);
    CHECK(valid_utf8((const unsigned char *)html, strlen(html)));
    for (const char *p = strchr(html, '<'); p != NULL; p = strchr(p + 1, '<'))
        CHECK(known_tag(p));
    check_urls(html, " href=\"");
    check_urls(html, " src=\"");
    free(html);
    return 0;
}
