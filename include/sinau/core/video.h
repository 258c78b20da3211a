/* core/video.h — lesson videos: YouTube and TikTok URLs turned into their
 * privacy-friendly embed URLs. Anything else is refused (the API answers
 * 422 unsupported_video). Pure code; any thread. */
#ifndef SINAU_CORE_VIDEO_H
#define SINAU_CORE_VIDEO_H

#include <stddef.h>

#include "sinau/core/common.h"

#define VIDEO_EMBED_MAX 128

enum video_provider { VIDEO_NONE = 0, VIDEO_YOUTUBE, VIDEO_TIKTOK };

/* Recognises, over http or https, with or without "www." / "m.":
 *   youtube.com/watch?v=ID (other query members allowed, in any order),
 *   youtu.be/ID, youtube.com/shorts/ID, youtube.com/embed/ID,
 *   youtube-nocookie.com/embed/ID                      (ID: 11 of [A-Za-z0-9_-])
 *     → https://www.youtube-nocookie.com/embed/ID
 *   tiktok.com/@user/video/ID, tiktok.com/embed/v2/ID  (ID: 15..25 digits)
 *     → https://www.tiktok.com/embed/v2/ID
 * Returns the provider and writes the embed URL into embed (NUL-terminated),
 * or returns VIDEO_NONE for anything else (other hosts, short links that
 * would need fetching, userinfo, ports, bad ids, over 2,000 bytes). */
enum video_provider video_parse(const char *url, char embed[VIDEO_EMBED_MAX]);

/* "youtube", "tiktok" or "" */
const char *video_provider_name(enum video_provider p);

#endif /* SINAU_CORE_VIDEO_H */
