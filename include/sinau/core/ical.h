/* core/ical.h — iCalendar (RFC 5545) feeds that phone calendars subscribe to:
 * a VCALENDAR of VEVENTs with UTC times, TEXT values escaped (backslash,
 * ';', ',', newlines) and lines folded at 75 octets (never inside a UTF-8
 * sequence), CRLF line ends. Pure code on a growing buffer; any thread. */
#ifndef SINAU_CORE_ICAL_H
#define SINAU_CORE_ICAL_H

#include <stddef.h>
#include <time.h>

#include "sinau/core/dynbuf.h"

/* The feed is written into the one growable buffer (dynbuf.h), capped at
 * ICAL_MAX bytes: data and len are the text; over the cap (or out of
 * memory) the buffer is failed (dynbuf_failed) and data NULL. */
#define ICAL_MAX ((size_t)16 << 20)
typedef dynbuf ical_buf;

typedef struct ical_event {
    const char *uid;         /* globally unique, e.g. "<session id>@<host>" */
    time_t starts, ends;     /* UTC instants */
    time_t stamp;            /* DTSTAMP: when the feed was made */
    const char *summary;     /* required */
    const char *location;    /* NULL: none */
    const char *url;         /* NULL: none (an http(s) URL) */
    const char *description; /* NULL: none */
} ical_event;

/* Starts a calendar: VERSION, PRODID, CALSCALE, METHOD:PUBLISH and
 * X-WR-CALNAME (name, escaped). */
void ical_begin(ical_buf *b, const char *name);

/* Appends one VEVENT. */
void ical_event_add(ical_buf *b, const ical_event *e);

/* Ends the calendar. */
void ical_end(ical_buf *b);

void ical_free(ical_buf *b);

#endif /* SINAU_CORE_ICAL_H */
