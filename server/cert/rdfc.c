/* rdfc.c — RDF datasets, N-Quads and RDFC-1.0 canonicalization (see
 * rdfc.h). The algorithm follows the recommendation's sections 4.4–4.9 step
 * by step; the comments name the step. */
#include "sinau/cert/rdfc.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"
#include "sinau/core/dynbuf.h"
#include "sinau/core/vec.h"

#define XSD_STRING "http://www.w3.org/2001/XMLSchema#string"
#define HASH_HEX   65

typedef struct quad {
    rdf_term t[4]; /* subject, predicate, object, graph; strings owned */
} quad;

struct rdf_dataset {
    quad *q;
    size_t n, cap;
};

/* ---- text: dynbufs capped at RDFC_TEXT_MAX ---- */

static dynbuf text_new(void)
{
    dynbuf b;

    dynbuf_init(&b, RDFC_TEXT_MAX);
    return b;
}

static void sha256_hex(const char *s, size_t n, char out[HASH_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)s, n);
    sodium_bin2hex(out, HASH_HEX, h, sizeof h);
}

/* ---- datasets ---- */

rdf_term rdf_iri(const char *iri)
{
    return (rdf_term){RDF_IRI, iri, NULL, NULL};
}

rdf_term rdf_bnode(const char *label)
{
    return (rdf_term){RDF_BNODE, label, NULL, NULL};
}

rdf_term rdf_literal(const char *lexical, const char *datatype)
{
    if (datatype != NULL && strcmp(datatype, XSD_STRING) == 0)
        datatype = NULL;
    return (rdf_term){RDF_LITERAL, lexical, datatype, NULL};
}

rdf_term rdf_default_graph(void)
{
    return (rdf_term){RDF_DEFAULT, "", NULL, NULL};
}

rdf_dataset *rdf_dataset_new(void)
{
    return xcalloc(1, sizeof(rdf_dataset));
}

static void term_free(rdf_term *t)
{
    free((char *)t->value);
    free((char *)t->datatype);
    free((char *)t->lang);
}

void rdf_dataset_free(rdf_dataset *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++)
        for (int k = 0; k < 4; k++)
            term_free(&d->q[i].t[k]);
    free(d->q);
    free(d);
}

size_t rdf_count(const rdf_dataset *d)
{
    return d->n;
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool same_term(const rdf_term *a, const rdf_term *b)
{
    return a->kind == b->kind && same_str(a->value, b->value) &&
           same_str(a->datatype, b->datatype) && same_str(a->lang, b->lang);
}

static rdf_term term_copy(rdf_term t)
{
    rdf_term c = t;

    c.value = xstrdup(t.value != NULL ? t.value : "");
    c.datatype = t.datatype != NULL ? xstrdup(t.datatype) : NULL;
    c.lang = t.lang != NULL ? xstrdup(t.lang) : NULL;
    return c;
}

void rdf_add(rdf_dataset *d, rdf_term s, rdf_term p, rdf_term o, rdf_term g)
{
    rdf_term in[4] = {s, p, o, g};

    if (in[2].kind == RDF_LITERAL && same_str(o.datatype, XSD_STRING))
        in[2].datatype = NULL; /* xsd:string is the default */
    for (size_t i = 0; i < d->n; i++) {
        int k = 0;
        while (k < 4 && same_term(&d->q[i].t[k], &in[k]))
            k++;
        if (k == 4)
            return;
    }
    d->q = vec_reserve(d->q, &d->cap, d->n + 1, sizeof *d->q, 32);
    for (int k = 0; k < 4; k++)
        d->q[d->n].t[k] = term_copy(in[k]);
    d->n++;
}

/* ---- N-Quads (canonical form: RDF 1.2 N-Quads as RDFC-1.0 uses it) ---- */

/* A literal's short escapes (N-Quads ECHAR), "\x" for the byte at the
 * same place in literal_chars. */
static const char literal_chars[] = "\"\\\n\r\t\b\f";
static const char *const literal_escapes[] = {"\\\"", "\\\\", "\\n", "\\r", "\\t", "\\b", "\\f"};

/* The escape of byte c in an IRI (iri) or a literal: one of the short
 * escapes, a \uXXXX written into u, or NULL when c stands as it is. */
static const char *escape_of(unsigned char c, bool iri, char u[8])
{
    const char *p;

    if (iri ? c <= 0x20 || strchr("<>\"{}|^`\\", c) != NULL : c < 0x20 || c == 0x7f) {
        p = iri || c == 0 ? NULL : strchr(literal_chars, c);
        if (p != NULL)
            return literal_escapes[p - literal_chars];
        snprintf(u, 8, "\\u%04X", c);
        return u;
    }
    if (!iri && (c == '"' || c == '\\'))
        return literal_escapes[c == '"' ? 0 : 1];
    return NULL;
}

static void put_escaped(dynbuf *b, const char *s, bool iri)
{
    char u[8];

    for (; *s != '\0'; s++) {
        const char *e = escape_of((unsigned char)*s, iri, u);
        if (e != NULL)
            dynbuf_addstr(b, e);
        else
            dynbuf_add(b, s, 1);
    }
}

/* label(arg, blank node label) gives the text a blank node is written as
 * ("_:…"); NULL labels writes each as "_:<its label>". */
typedef const char *(*label_fn)(void *arg, const char *label);

static void put_term(dynbuf *b, const rdf_term *t, label_fn label, void *arg)
{
    switch (t->kind) {
    case RDF_IRI:
        dynbuf_addstr(b, "<");
        put_escaped(b, t->value, true);
        dynbuf_addstr(b, ">");
        break;
    case RDF_BNODE:
        if (label != NULL) {
            dynbuf_addstr(b, label(arg, t->value));
        } else {
            dynbuf_addstr(b, "_:");
            dynbuf_addstr(b, t->value);
        }
        break;
    case RDF_LITERAL:
        dynbuf_addstr(b, "\"");
        put_escaped(b, t->value, false);
        dynbuf_addstr(b, "\"");
        if (t->lang != NULL) {
            dynbuf_addstr(b, "@");
            dynbuf_addstr(b, t->lang);
        } else if (t->datatype != NULL) {
            dynbuf_addstr(b, "^^<");
            put_escaped(b, t->datatype, true);
            dynbuf_addstr(b, ">");
        }
        break;
    case RDF_DEFAULT:
        break;
    }
}

/* One N-Quads line of q, "\n" included, as an owned string; NULL past
 * RDFC_TEXT_MAX. */
static char *quad_line(const quad *q, label_fn label, void *arg)
{
    dynbuf b = text_new();

    for (int k = 0; k < 3; k++) {
        put_term(&b, &q->t[k], label, arg);
        dynbuf_addstr(&b, " ");
    }
    if (q->t[3].kind != RDF_DEFAULT) {
        put_term(&b, &q->t[3], label, arg);
        dynbuf_addstr(&b, " ");
    }
    dynbuf_addstr(&b, ".\n");
    return dynbuf_take(&b, NULL);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Frees n lines and their array. */
static void free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

/* True when every one of n lines was made (none went past the cap). */
static bool lines_made(char *const *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lines[i] == NULL)
            return false;
    return true;
}

/* The lines sorted, duplicates dropped, concatenated (owned), or NULL past
 * RDFC_TEXT_MAX; frees the lines. */
static char *join_sorted(char **lines, size_t n)
{
    dynbuf b = text_new();

    if (!lines_made(lines, n)) {
        free_lines(lines, n);
        return NULL;
    }
    qsort(lines, n, sizeof *lines, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(lines[i], lines[i - 1]) != 0)
            dynbuf_addstr(&b, lines[i]);
    }
    free_lines(lines, n);
    return dynbuf_take(&b, NULL);
}

char *rdf_nquads(const rdf_dataset *d)
{
    char **lines = xcalloc(d->n + 1, sizeof *lines);

    for (size_t i = 0; i < d->n; i++)
        lines[i] = quad_line(&d->q[i], NULL, NULL);
    return join_sorted(lines, d->n);
}

/* ---- identifier issuers (4.5) ---- */

typedef struct issuer {
    const char *prefix;
    size_t n, cap;
    const char **old; /* borrowed labels, in the order issued */
    char **issued;    /* owned "_:<prefix><n>" */
} issuer;

static const char *issuer_get(const issuer *is, const char *label)
{
    for (size_t i = 0; i < is->n; i++)
        if (strcmp(is->old[i], label) == 0)
            return is->issued[i];
    return NULL;
}

static const char *issuer_issue(issuer *is, const char *label)
{
    const char *have = issuer_get(is, label);
    char id[64];

    if (have != NULL)
        return have;
    if (is->n == is->cap) { /* issued[] is parallel to old[] */
        is->old = vec_reserve(is->old, &is->cap, is->n + 1, sizeof *is->old, 8);
        is->issued = vec_resize(is->issued, is->cap, sizeof *is->issued);
    }
    snprintf(id, sizeof id, "_:%s%zu", is->prefix, is->n);
    is->old[is->n] = label;
    is->issued[is->n] = xstrdup(id);
    return is->issued[is->n++];
}

static void issuer_clear(issuer *is)
{
    for (size_t i = 0; i < is->n; i++)
        free(is->issued[i]);
    free(is->old);
    free(is->issued);
    memset(is, 0, sizeof *is);
}

static issuer issuer_copy(const issuer *is)
{
    issuer c = {is->prefix, 0, 0, NULL, NULL};

    for (size_t i = 0; i < is->n; i++)
        issuer_issue(&c, is->old[i]);
    return c;
}

/* ---- the canonicalization state (4.4.2) ---- */

typedef struct bnode {
    const char *label; /* borrowed from the dataset */
    size_t *quads, nq, capq;
    char hash[HASH_HEX]; /* first-degree hash */
} bnode;

typedef struct canon {
    const rdf_dataset *d;
    bnode *b;
    size_t nb, capb;
    issuer canonical;
    long work;
} canon;

static bnode *bnode_of(canon *c, const char *label)
{
    for (size_t i = 0; i < c->nb; i++)
        if (strcmp(c->b[i].label, label) == 0)
            return &c->b[i];
    return NULL;
}

static void note_bnode(canon *c, const char *label, size_t qi)
{
    bnode *bn = bnode_of(c, label);

    if (bn == NULL) {
        c->b = vec_reserve(c->b, &c->capb, c->nb + 1, sizeof *c->b, 16);
        bn = &c->b[c->nb++];
        memset(bn, 0, sizeof *bn);
        bn->label = label;
    }
    if (bn->nq > 0 && bn->quads[bn->nq - 1] == qi)
        return; /* the same quad mentions it twice */
    bn->quads = vec_reserve(bn->quads, &bn->capq, bn->nq + 1, sizeof *bn->quads, 4);
    bn->quads[bn->nq++] = qi;
}

/* ---- Hash First Degree Quads (4.6) ---- */

static const char *label_a_or_z(void *arg, const char *label)
{
    return strcmp(label, (const char *)arg) == 0 ? "_:a" : "_:z";
}

/* The hash of the text b holds into out, and b freed. Returns 0, or -1
 * when b went past RDFC_TEXT_MAX. */
static int hash_text(dynbuf *b, char out[HASH_HEX])
{
    int rc = dynbuf_failed(b) ? -1 : 0;

    if (rc == 0)
        sha256_hex(dynbuf_ptr(b), b->len, out);
    dynbuf_free(b);
    return rc;
}

static int hash_first_degree(canon *c, bnode *bn)
{
    char **lines = xcalloc(bn->nq + 1, sizeof *lines);
    dynbuf b = text_new();

    for (size_t i = 0; i < bn->nq; i++)
        lines[i] = quad_line(&c->d->q[bn->quads[i]], label_a_or_z, (void *)bn->label);
    if (!lines_made(lines, bn->nq)) {
        free_lines(lines, bn->nq);
        return -1;
    }
    qsort(lines, bn->nq, sizeof *lines, cmp_str);
    for (size_t i = 0; i < bn->nq; i++)
        dynbuf_addstr(&b, lines[i]);
    free_lines(lines, bn->nq);
    return hash_text(&b, bn->hash);
}

/* ---- Hash Related Blank Node (4.7) ---- */

static int hash_related(canon *c, const char *related, const quad *q, const issuer *is, char pos,
                        char out[HASH_HEX])
{
    const char *id = issuer_get(&c->canonical, related);
    char p[2] = {pos, '\0'};
    dynbuf b = text_new();

    if (id == NULL)
        id = issuer_get(is, related);
    if (id == NULL)
        id = bnode_of(c, related)->hash;
    dynbuf_addstr(&b, p);
    if (pos != 'g') {
        dynbuf_addstr(&b, "<");
        dynbuf_addstr(&b, q->t[1].value);
        dynbuf_addstr(&b, ">");
    }
    dynbuf_addstr(&b, id);
    return hash_text(&b, out);
}

/* ---- Hash N-Degree Quads (4.8) ---- */

typedef struct related {
    char hash[HASH_HEX];
    const char *label;
    size_t order; /* insertion order, to keep the sort stable */
} related;

static int cmp_related(const void *a, const void *b)
{
    const related *x = a, *y = b;
    int r = strcmp(x->hash, y->hash);

    return r != 0 ? r : (x->order > y->order) - (x->order < y->order);
}

/* The next permutation of p[0..k) in lexicographic order; false after the
 * last. */
static bool next_perm(size_t *p, size_t k)
{
    size_t i, j, t;

    if (k < 2)
        return false;
    i = k - 1;
    while (i > 0 && p[i - 1] >= p[i])
        i--;
    if (i == 0)
        return false;
    j = k - 1;
    while (p[j] <= p[i - 1])
        j--;
    t = p[i - 1];
    p[i - 1] = p[j];
    p[j] = t;
    for (j = k - 1; i < j; i++, j--) {
        t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
    return true;
}

static int hash_ndegree(canon *c, const char *id, issuer *is, char out[HASH_HEX]);

/* True when path can no longer beat chosen (4.8.3 steps 5.4.4.3, 5.4.5.5). */
static bool worse(const dynbuf *path, const char *chosen)
{
    return chosen != NULL && !dynbuf_failed(path) && path->len >= strlen(chosen) &&
           strcmp(dynbuf_ptr(path), chosen) > 0;
}

/* One permutation of a group (4.8.3 step 5.4): its path into *path and its
 * issuer into *copy (both owned by the caller afterwards). Returns 0, 1 when
 * it cannot win, or -1 past the work bound. */
static int try_perm(canon *c, const related *grp, const size_t *perm, size_t k, const char *chosen,
                    dynbuf *path, issuer *copy)
{
    const char **todo = xcalloc(k + 1, sizeof *todo);
    size_t ntodo = 0;
    int rc = 0;

    for (size_t j = 0; j < k && rc == 0; j++) {
        const char *label = grp[perm[j]].label, *cid = issuer_get(&c->canonical, label);
        if (cid == NULL) {
            if (issuer_get(copy, label) == NULL)
                todo[ntodo++] = label;
            cid = issuer_issue(copy, label);
        }
        dynbuf_addstr(path, cid);
        if (worse(path, chosen))
            rc = 1;
    }
    for (size_t j = 0; j < ntodo && rc == 0; j++) {
        char h[HASH_HEX];
        dynbuf_addstr(path, issuer_issue(copy, todo[j]));
        if (hash_ndegree(c, todo[j], copy, h) != 0) {
            rc = -1;
            break;
        }
        dynbuf_addstr(path, "<");
        dynbuf_addstr(path, h);
        dynbuf_addstr(path, ">");
        if (worse(path, chosen))
            rc = 1;
    }
    free(todo);
    return dynbuf_failed(path) ? -1 : rc;
}

/* The chosen path of one group of related nodes with the same hash; is is
 * replaced by the chosen issuer. Returns 0 or -1. */
static int choose_path(canon *c, const related *grp, size_t k, issuer *is, dynbuf *data)
{
    size_t *perm = xcalloc(k, sizeof *perm);
    char *chosen = NULL;
    issuer chosen_is = {0};
    int rc = 0;

    for (size_t j = 0; j < k; j++)
        perm[j] = j;
    do {
        dynbuf path = text_new();
        issuer copy = issuer_copy(is);
        int r = ++c->work > RDFC_MAX_WORK ? -1 : try_perm(c, grp, perm, k, chosen, &path, &copy);
        if (r == 0 && (chosen == NULL || strcmp(dynbuf_ptr(&path), chosen) < 0)) {
            free(chosen);
            chosen = dynbuf_take(&path, NULL);
            issuer_clear(&chosen_is);
            chosen_is = copy;
            copy = (issuer){0};
        }
        dynbuf_free(&path);
        issuer_clear(&copy);
        if (r < 0)
            rc = -1;
    } while (rc == 0 && next_perm(perm, k));
    if (rc == 0) {
        dynbuf_addstr(data, chosen);
        issuer_clear(is);
        *is = chosen_is;
    } else {
        issuer_clear(&chosen_is);
    }
    free(chosen);
    free(perm);
    return rc;
}

static int hash_ndegree(canon *c, const char *id, issuer *is, char out[HASH_HEX])
{
    const bnode *bn = bnode_of(c, id);
    static const char pos[4] = {'s', 0, 'o', 'g'};
    related *rel = NULL;
    size_t n = 0, cap = 0;
    dynbuf data = text_new();
    int rc = 0;

    for (size_t i = 0; i < bn->nq; i++) {
        const quad *q = &c->d->q[bn->quads[i]];
        for (int k = 0; k < 4; k++) {
            if (k == 1 || q->t[k].kind != RDF_BNODE || strcmp(q->t[k].value, id) == 0)
                continue;
            rel = vec_reserve(rel, &cap, n + 1, sizeof *rel, 8);
            if (hash_related(c, q->t[k].value, q, is, pos[k], rel[n].hash) != 0)
                rc = -1;
            rel[n].label = q->t[k].value;
            rel[n].order = n;
            n++;
        }
    }
    if (n > 0)
        qsort(rel, n, sizeof *rel, cmp_related);
    for (size_t i = 0; i < n && rc == 0;) {
        size_t k = 1;
        while (i + k < n && strcmp(rel[i + k].hash, rel[i].hash) == 0)
            k++;
        dynbuf_addstr(&data, rel[i].hash);
        rc = choose_path(c, &rel[i], k, is, &data);
        i += k;
    }
    if (rc == 0)
        rc = hash_text(&data, out);
    dynbuf_free(&data);
    free(rel);
    return rc;
}

/* ---- the canonicalization algorithm (4.4.3) ---- */

static int cmp_bnode_hash(const void *a, const void *b)
{
    return strcmp((*(bnode *const *)a)->hash, (*(bnode *const *)b)->hash);
}

typedef struct path_result {
    char hash[HASH_HEX];
    issuer is;
    size_t order;
} path_result;

static int cmp_result(const void *a, const void *b)
{
    const path_result *x = a, *y = b;
    int r = strcmp(x->hash, y->hash);

    return r != 0 ? r : (x->order > y->order) - (x->order < y->order);
}

/* Step 5: the nodes of one group whose first-degree hashes tie. */
static int label_tied(canon *c, bnode **grp, size_t k)
{
    path_result *res = xcalloc(k, sizeof *res);
    size_t n = 0;
    int rc = 0;

    for (size_t j = 0; j < k && rc == 0; j++) {
        if (issuer_get(&c->canonical, grp[j]->label) != NULL)
            continue;
        res[n].is = (issuer){"b", 0, 0, NULL, NULL};
        issuer_issue(&res[n].is, grp[j]->label);
        res[n].order = n;
        rc = hash_ndegree(c, grp[j]->label, &res[n].is, res[n].hash);
        n++;
    }
    if (rc == 0) {
        qsort(res, n, sizeof *res, cmp_result);
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < res[j].is.n; i++)
                issuer_issue(&c->canonical, res[j].is.old[i]);
    }
    for (size_t j = 0; j < n; j++)
        issuer_clear(&res[j].is);
    free(res);
    return rc;
}

static const char *canonical_label(void *arg, const char *label)
{
    return issuer_get(&((canon *)arg)->canonical, label);
}

/* Steps 4 and 5: issue canonical ids, unique hashes first, then the tied
 * groups in hash order. Returns 0 or -1. */
static int label_all(canon *c)
{
    bnode **order = xcalloc(c->nb + 1, sizeof *order);
    int rc = 0;

    for (size_t i = 0; i < c->nb; i++) {
        if (hash_first_degree(c, &c->b[i]) != 0)
            rc = -1;
        order[i] = &c->b[i];
    }
    if (rc == 0)
        qsort(order, c->nb, sizeof *order, cmp_bnode_hash);
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (size_t i = 0; i < c->nb && rc == 0;) {
            size_t k = 1;
            while (i + k < c->nb && strcmp(order[i + k]->hash, order[i]->hash) == 0)
                k++;
            if (pass == 0 && k == 1)
                issuer_issue(&c->canonical, order[i]->label);
            else if (pass == 1 && k > 1)
                rc = label_tied(c, &order[i], k);
            i += k;
        }
    }
    free(order);
    return rc;
}

char *rdfc_canonize(const rdf_dataset *d)
{
    canon c = {d, NULL, 0, 0, {"c14n", 0, 0, NULL, NULL}, 0};
    char *out = NULL;

    for (size_t i = 0; i < d->n; i++)
        for (int k = 0; k < 4; k++)
            if (k != 1 && d->q[i].t[k].kind == RDF_BNODE)
                note_bnode(&c, d->q[i].t[k].value, i);
    if (label_all(&c) == 0) {
        char **lines = xcalloc(d->n + 1, sizeof *lines);
        for (size_t i = 0; i < d->n; i++)
            lines[i] = quad_line(&d->q[i], canonical_label, &c);
        out = join_sorted(lines, d->n);
    }
    for (size_t i = 0; i < c.nb; i++)
        free(c.b[i].quads);
    free(c.b);
    issuer_clear(&c.canonical);
    return out;
}
