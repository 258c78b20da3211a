/* cert/credpage.h — the public faces of a certificate check (CERTIFICATES.md
 * "What people see"): the verify page in Indonesian or English, its JSON,
 * the not-found page, and the paste box with its answer.
 *
 * Pure functions over borrowed facts; every value is HTML-escaped; pages
 * load only /css/site.css (no scripts, no inline styles: the CSP holds) and
 * never hold an e-mail, NIK or NIP (the facts carry none). Any thread. */
#ifndef SINAU_CERT_CREDPAGE_H
#define SINAU_CERT_CREDPAGE_H

#include <jansson.h>
#include <stdio.h>
#include <stdbool.h>

#include "sinau/cert/vccheck.h"

typedef struct credpage_facts {
    const char *id;         /* the certificate id */
    const char *public_url; /* origin of the links */
    const char *status;     /* "valid", "revoked" or "invalid" (signature checks failed) */
    const char *holder_name, *programme, *cohort, *issuer;
    const char *starts_on, *ends_on;    /* YYYY-MM-DD */
    const char *issued_at, *revoked_at; /* PostgreSQL timestamptz text; revoked_at may be NULL */
    int jp;
    const vccheck_result *checks; /* what was verified (borrowed) */
    /* who signed it, as printed on the PDF (NULL: not shown): name, title,
     * NIP (18 digits or NULL), and paths of the signature and logo images
     * on this origin (or NULL) */
    const char *signatory_name, *signatory_title, *signatory_nip;
    const char *signature_url, *logo_url;
} credpage_facts;

/* {status, holder_name, programme, cohort, jp, starts_on, ends_on, issued_at,
 * revoked_at?, issuer, url, pdf_url, checks: [{name, ok, detail}],
 * signatory: {name, title, nip, signature_image, logo} or null}. Owned. */
json_t *credpage_json(const credpage_facts *f);

/* The verify page; lang "en" or anything else for Indonesian. Owned
 * (free()), NULL when out of memory. */
char *credpage_html(const credpage_facts *f, const char *lang);

/* The page for an id that names no certificate (id may be NULL). Owned. */
char *credpage_not_found_html(const char *id, const char *lang);

/* The /verify page: the box that finds a certificate by its printed ID
 * (with a message when bad_id: the ID typed had not the shape of one) and
 * the paste box. Owned. */
char *credpage_paste_html(const char *lang, bool bad_id);

/* The paste box's answer for a pasted token. Owned. */
char *credpage_pasted_html(const vccheck_result *v, const char *lang, const char *public_url);

/* Writes s to f HTML-escaped (< > & " '); NULL writes nothing. */
void credpage_escape(FILE *f, const char *s);

/* Writes one fact of a <dl>, "<dt>label</dt><dd>value</dd>", both escaped
 * (value NULL: empty). For the cert pages (achpage.c). */
void credpage_row(FILE *f, const char *label, const char *value);

#endif /* SINAU_CERT_CREDPAGE_H */
