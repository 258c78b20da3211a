/* core/markdown.h — lesson and feedback Markdown to HTML with cmark-gfm
 * (CommonMark with GitHub's tables and ~~strikethrough~~; images load
 * lazily), safe: raw HTML is never passed through (safe mode omits it), and
 * link and image destinations are kept only when they are relative or
 * http, https or mailto (javascript:, data:, vbscript:, file: and every
 * other scheme become empty), so that whatever authors or participants
 * write comes out inert (SECURITY.md 18). Pure code; any thread; CPU
 * work proportional to the input (the API renders on the worker pool). */
#ifndef SINAU_CORE_MARKDOWN_H
#define SINAU_CORE_MARKDOWN_H

#include <stddef.h>

/* Renders md[0..len) (UTF-8; invalid sequences replaced) into a new
 * NUL-terminated HTML string the caller frees with free(); NULL only when
 * out of memory. */
char *markdown_render(const char *md, size_t len);

#endif /* SINAU_CORE_MARKDOWN_H */
