/* api/outbox.h — the delivery worker: one per instance, on the loop of the
 * composition root's choice (loop 0), driven by that loop's tick.
 *
 * Each turn it claims due rows of the outbox (msg_claim: FOR UPDATE SKIP
 * LOCKED and a lease, so several instances never send the same row twice
 * while the lease holds), renders each into an e-mail (mime.h) or a webhook
 * document with a stable Message-ID derived from the row, sends it through
 * the mailer (libcurl multi on this loop), and marks the row sent or
 * schedules a retry with backoff and jitter (failed after the configured
 * tries). A row whose channel is not configured is marked undeliverable
 * ("no channel"), never dropped. A crash between sending and marking leaves
 * the row claimed until its lease ends; it is then sent again with the same
 * Message-ID. It also runs the scheduled reminders (msg_tick) and keeps
 * the figures /metrics shows. Nothing here logs a body or a full address.
 *
 * Thread: outbox_new, _tick, _busy and _free on the owning loop's thread;
 * outbox_metrics on any thread. */
#ifndef SINAU_API_OUTBOX_H
#define SINAU_API_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/config.h"
#include "sinau/core/dynbuf.h"
#include "sinau/db/pool.h"

struct event_base;
struct pii_keyring;
typedef struct outbox outbox;

/* A worker on base using db (both of one loop). keys: the master keyring
 * (phones, secrets, unsubscribe links); instance: this process's id
 * (recorded as claimed_by). Returns an owned worker, or NULL with a
 * one-line message in err (an unreadable password file, a bad URL). */
outbox *outbox_new(struct event_base *base, db_pool *db, const sinau_config *cfg,
                   const struct pii_keyring *keys, const char *instance, char *err, size_t errlen);

/* One turn: claims and sends what is due, marks what finished, every few
 * seconds the reminders and the figures. Call from the loop's tick; when
 * stopping is true nothing new is claimed. inflight: the instance's
 * requests without a reply yet. While they are at least SINAU_OUTBOX_YIELD
 * (a flash crowd), the turn only marks what finished and claims nothing:
 * messages wait for the crowd, for at most SINAU_OUTBOX_YIELD_MAX_MS in one
 * busy period (which ends only after that long below the yield, so dips do
 * not start the wait again), then go at their usual pace however busy the
 * instance stays. */
void outbox_tick(outbox *o, bool stopping, int inflight);

/* True while sends or marks are still in flight (the drain waits). */
bool outbox_busy(const outbox *o);

/* Aborts what is in flight (those rows are sent again after their lease)
 * and frees. NULL-safe. */
void outbox_free(outbox *o);

/* Appends the Prometheus text of the outbox's figures to t (a failure is
 * t's, sticky: dynbuf.h). o may be NULL (no figures). */
void outbox_metrics(outbox *o, dynbuf *t);

/* The one-click unsubscribe token of a user (64 hex + NUL): a keyed hash,
 * so the link needs no stored state. Returns 0 or -1. */
SINAU_MUST_CHECK int outbox_unsubscribe_token(const struct pii_keyring *keys, const char *user_id,
                                              char out[65]);

#endif /* SINAU_API_OUTBOX_H */
