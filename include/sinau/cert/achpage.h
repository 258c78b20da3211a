/* cert/achpage.h — the public page of an achievement, at every achievement.id a
 * credential names (<PUBLIC_URL>/achievements/<slug>-v<version>, and
 * <PUBLIC_URL>/achievements/jp-record-<year> for yearly JP transcripts):
 * the programme, its criteria and JP per cohort, the content version taught
 * and its content hash (the same the credential cites), the modules and
 * lessons of that version. As HTML (Indonesian or English, /css/site.css
 * only: the CSP holds) and as an Open Badges 3.0 Achievement in JSON-LD for
 * machines.
 *
 * Pure functions over borrowed facts (cert_achievement's JSON); every value
 * is HTML-escaped. Any thread. */
#ifndef SINAU_CERT_ACHPAGE_H
#define SINAU_CERT_ACHPAGE_H

#include <jansson.h>

/* The Achievement (OB 3.0 JSON-LD, contexts credentials v2 and OB 3.0.3):
 * id, type, achievementType, name, description, criteria.narrative, version,
 * otherIdentifier [{sha256:<content hash>, ext:contentHash}], creator (the
 * issuer's profile). Owned (json_decref). */
json_t *achpage_jsonld(const json_t *facts, const char *id_url, const char *public_url,
                       const char *issuer_name);

/* The HTML page; lang "en" or Indonesian otherwise. Owned string, or NULL. */
char *achpage_html(const json_t *facts, const char *id_url, const char *issuer_name,
                   const char *lang);

/* The facts of the yearly JP transcript's achievement (no database: it is
 * the same every year but for the year). Owned. */
json_t *achpage_transcript_facts(int year);

#endif /* SINAU_CERT_ACHPAGE_H */
