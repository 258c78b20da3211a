/* jsonld.c — JSON-LD to RDF for our own document shapes by a term map
 * taken from the bundled contexts (see jsonld.h for why). */
#include "sinau/cert/jsonld.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"

#define VC  "https://www.w3.org/2018/credentials#"
#define OB  "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
#define SEC "https://w3id.org/security#"
#define ST  "https://www.w3.org/ns/credentials/status#"
#define XSD "http://www.w3.org/2001/XMLSchema#"
/* the Open Badges context writes its datatypes with https */
#define OBXSD    "https://www.w3.org/2001/XMLSchema#"
#define SCHEMA   "https://schema.org/"
#define RDF_TYPE "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

/* How a term's values become RDF. */
enum coerce {
    C_PLAIN, /* no @type: strings are plain literals, objects are nodes */
    C_ID,    /* "@type": "@id": strings are IRIs, objects are nodes */
    C_TYPED, /* "@type": <datatype>: literals of that datatype */
    C_VOCAB, /* "@type": "@vocab": strings are terms of the scope */
};

/* Which context defines a term. */
enum ctx { CTX_VC = 1, CTX_OB = 2 };

typedef struct term_def {
    int ctx;
    const char *scope; /* NULL: the contexts' top level; else the type whose scoped context */
    const char *term;
    const char *iri;
    enum coerce coerce;
    const char *datatype;
} term_def;

/* Types: the term and its IRI (top level of the contexts). */
static const term_def types[] = {
    {CTX_VC, NULL, "VerifiableCredential", VC "VerifiableCredential", C_PLAIN, NULL},
    {CTX_VC, NULL, "BitstringStatusListCredential", ST "BitstringStatusListCredential", C_PLAIN,
     NULL},
    {CTX_VC, NULL, "BitstringStatusList", ST "BitstringStatusList", C_PLAIN, NULL},
    {CTX_VC, NULL, "BitstringStatusListEntry", ST "BitstringStatusListEntry", C_PLAIN, NULL},
    {CTX_VC, NULL, "DataIntegrityProof", SEC "DataIntegrityProof", C_PLAIN, NULL},
    {CTX_OB, NULL, "OpenBadgeCredential", OB "OpenBadgeCredential", C_PLAIN, NULL},
    {CTX_OB, NULL, "Profile", OB "Profile", C_PLAIN, NULL},
    {CTX_OB, NULL, "AchievementSubject", OB "AchievementSubject", C_PLAIN, NULL},
    {CTX_OB, NULL, "Achievement", OB "Achievement", C_PLAIN, NULL},
    {CTX_OB, NULL, "Criteria", OB "Criteria", C_PLAIN, NULL},
    {CTX_OB, NULL, "IdentityObject", OB "IdentityObject", C_PLAIN, NULL},
    {CTX_OB, NULL, "IdentifierEntry", OB "IdentifierEntry", C_PLAIN, NULL},
    {CTX_OB, NULL, "Evidence", OB "Evidence", C_PLAIN, NULL},
};

/* Properties, by scope. */
static const term_def props[] = {
    /* top level: credentials v2, then Open Badges 3.0.3 (same IRIs where both define) */
    {CTX_VC, NULL, "name", SCHEMA "name", C_PLAIN, NULL},
    {CTX_VC, NULL, "description", SCHEMA "description", C_PLAIN, NULL},
    {CTX_OB, NULL, "narrative", OB "narrative", C_PLAIN, NULL},
    {CTX_OB, NULL, "url", SCHEMA "url", C_TYPED, OBXSD "anyURI"},
    {CTX_OB, NULL, "image", OB "image", C_ID, NULL},
    {CTX_OB, NULL, "inLanguage", SCHEMA "inLanguage", C_PLAIN, NULL},
    /* the context writes "xsd:dateTime" with no xsd prefix defined, so
     * JSON-LD processors take it as the absolute IRI "xsd:dateTime" */
    {CTX_OB, NULL, "awardedDate", OB "awardedDate", C_TYPED, "xsd:dateTime"},
    /* VerifiableCredential */
    {CTX_VC, "VerifiableCredential", "credentialStatus", VC "credentialStatus", C_ID, NULL},
    {CTX_VC, "VerifiableCredential", "credentialSubject", VC "credentialSubject", C_ID, NULL},
    {CTX_VC, "VerifiableCredential", "evidence", VC "evidence", C_ID, NULL},
    {CTX_VC, "VerifiableCredential", "issuer", VC "issuer", C_ID, NULL},
    {CTX_VC, "VerifiableCredential", "validFrom", VC "validFrom", C_TYPED, XSD "dateTime"},
    {CTX_VC, "VerifiableCredential", "validUntil", VC "validUntil", C_TYPED, XSD "dateTime"},
    /* BitstringStatusListEntry, BitstringStatusList */
    {CTX_VC, "BitstringStatusListEntry", "statusListCredential", ST "statusListCredential", C_ID,
     NULL},
    {CTX_VC, "BitstringStatusListEntry", "statusListIndex", ST "statusListIndex", C_PLAIN, NULL},
    {CTX_VC, "BitstringStatusListEntry", "statusPurpose", ST "statusPurpose", C_PLAIN, NULL},
    {CTX_VC, "BitstringStatusList", "encodedList", ST "encodedList", C_TYPED, SEC "multibase"},
    {CTX_VC, "BitstringStatusList", "statusPurpose", ST "statusPurpose", C_PLAIN, NULL},
    /* DataIntegrityProof */
    {CTX_VC, "DataIntegrityProof", "created", "http://purl.org/dc/terms/created", C_TYPED,
     XSD "dateTime"},
    {CTX_VC, "DataIntegrityProof", "cryptosuite", SEC "cryptosuite", C_TYPED,
     SEC "cryptosuiteString"},
    {CTX_VC, "DataIntegrityProof", "proofPurpose", SEC "proofPurpose", C_VOCAB, NULL},
    {CTX_VC, "DataIntegrityProof", "proofValue", SEC "proofValue", C_TYPED, SEC "multibase"},
    {CTX_VC, "DataIntegrityProof", "verificationMethod", SEC "verificationMethod", C_ID, NULL},
    /* AchievementSubject */
    {CTX_OB, "AchievementSubject", "achievement", OB "achievement", C_PLAIN, NULL},
    {CTX_OB, "AchievementSubject", "identifier", OB "identifier", C_PLAIN, NULL},
    {CTX_OB, "AchievementSubject", "creditsEarned", OB "creditsEarned", C_TYPED, OBXSD "float"},
    {CTX_OB, "AchievementSubject", "activityStartDate", OB "activityStartDate", C_TYPED,
     OBXSD "date"},
    {CTX_OB, "AchievementSubject", "activityEndDate", OB "activityEndDate", C_TYPED, OBXSD "date"},
    /* Achievement */
    {CTX_OB, "Achievement", "achievementType", OB "achievementType", C_PLAIN, NULL},
    {CTX_OB, "Achievement", "criteria", OB "Criteria", C_ID, NULL},
    {CTX_OB, "Achievement", "creditsAvailable", OB "creditsAvailable", C_TYPED, OBXSD "float"},
    {CTX_OB, "Achievement", "humanCode", OB "humanCode", C_PLAIN, NULL},
    {CTX_OB, "Achievement", "otherIdentifier", OB "otherIdentifier", C_PLAIN, NULL},
    {CTX_OB, "Achievement", "version", OB "version", C_PLAIN, NULL},
    {CTX_OB, "Achievement", "inLanguage", SCHEMA "inLanguage", C_PLAIN, NULL},
    /* IdentityObject, IdentifierEntry */
    {CTX_OB, "IdentityObject", "hashed", OB "hashed", C_TYPED, OBXSD "boolean"},
    {CTX_OB, "IdentityObject", "identityHash", OB "identityHash", C_PLAIN, NULL},
    {CTX_OB, "IdentityObject", "identityType", OB "identityType", C_PLAIN, NULL},
    {CTX_OB, "IdentityObject", "salt", OB "salt", C_PLAIN, NULL},
    {CTX_OB, "IdentifierEntry", "identifier", OB "identifier", C_PLAIN, NULL},
    {CTX_OB, "IdentifierEntry", "identifierType", OB "identifierType", C_PLAIN, NULL},
};

/* Terms of proofPurpose's scoped context (values of "@type": "@vocab"). */
static const term_def purposes[] = {
    {CTX_VC, "proofPurpose", "assertionMethod", SEC "assertionMethod", C_ID, NULL},
    {CTX_VC, "proofPurpose", "authentication", SEC "authenticationMethod", C_ID, NULL},
};

#define MAX_DEPTH 8

typedef struct walk {
    rdf_dataset *d;
    int ctx; /* CTX_* present */
    unsigned next_bnode;
    char *err;
    size_t errlen;
} walk;

static int fail(walk *w, const char *what, const char *term)
{
    snprintf(w->err, w->errlen, "%s%s%s", what, term != NULL ? ": " : "", term != NULL ? term : "");
    return -1;
}

static const term_def *find(const term_def *tab, size_t n, int ctx, const char *scope,
                            const char *term)
{
    for (size_t i = 0; i < n; i++)
        if ((tab[i].ctx & ctx) != 0 && strcmp(tab[i].term, term) == 0 &&
            ((scope == NULL && tab[i].scope == NULL) ||
             (scope != NULL && tab[i].scope != NULL && strcmp(tab[i].scope, scope) == 0)))
            return &tab[i];
    return NULL;
}

/* A property of a node of the given types: its types' scoped contexts
 * first, then the top level. */
static const term_def *prop_def(walk *w, const json_t *node_types, const char *term)
{
    const json_t *t;
    size_t i;

    if (json_is_string(node_types)) {
        const term_def *d =
            find(props, SINAU_ARRAY_LEN(props), w->ctx, json_string_value(node_types), term);
        return d != NULL ? d : find(props, SINAU_ARRAY_LEN(props), w->ctx, NULL, term);
    }
    json_array_foreach (node_types, i, t) {
        const term_def *d = find(props, SINAU_ARRAY_LEN(props), w->ctx, json_string_value(t), term);
        if (d != NULL)
            return d;
    }
    return find(props, SINAU_ARRAY_LEN(props), w->ctx, NULL, term);
}

/* An absolute IRI: a scheme, then ':' (RFC 3987's shape, enough to refuse
 * relative references, which our documents never hold). */
static bool absolute_iri(const char *s)
{
    size_t i = 1;

    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
           (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.')
        i++;
    return s[i] == ':';
}

static int node(walk *w, const json_t *obj, int depth, rdf_term *subject, char *label);

/* One value of property def on subject s. */
static int value(walk *w, rdf_term s, const term_def *def, const json_t *v, int depth)
{
    rdf_term p = rdf_iri(def->iri), g = rdf_default_graph();
    char num[32], label[16];

    if (json_is_object(v)) {
        rdf_term o;
        if (def->coerce != C_PLAIN && def->coerce != C_ID)
            return fail(w, "an object where a literal belongs", def->term);
        if (node(w, v, depth + 1, &o, label) != 0)
            return -1;
        rdf_add(w->d, s, p, o, g);
        return 0;
    }
    if (json_is_string(v)) {
        const char *text = json_string_value(v);
        if (def->coerce == C_ID) {
            if (!absolute_iri(text))
                return fail(w, "not an absolute IRI", def->term);
            rdf_add(w->d, s, p, rdf_iri(text), g);
        } else if (def->coerce == C_VOCAB) {
            const term_def *t = find(purposes, SINAU_ARRAY_LEN(purposes), w->ctx, def->term, text);
            if (t == NULL)
                return fail(w, "an unknown term as a value", def->term);
            rdf_add(w->d, s, p, rdf_iri(t->iri), g);
        } else {
            rdf_add(w->d, s, p, rdf_literal(text, def->datatype), g);
        }
        return 0;
    }
    if (json_is_boolean(v) && (def->coerce == C_PLAIN || def->coerce == C_TYPED)) {
        rdf_add(w->d, s, p,
                rdf_literal(json_is_true(v) ? "true" : "false",
                            def->coerce == C_TYPED ? def->datatype : XSD "boolean"),
                g);
        return 0;
    }
    if (json_is_integer(v) && (def->coerce == C_PLAIN || def->coerce == C_TYPED)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        rdf_add(w->d, s, p,
                rdf_literal(num, def->coerce == C_TYPED ? def->datatype : XSD "integer"), g);
        return 0;
    }
    return fail(w, "a value of a kind this server does not sign", def->term);
}

static int types_of(walk *w, rdf_term s, const json_t *t)
{
    const json_t *one;
    size_t i;

    if (t == NULL)
        return 0;
    if (json_is_string(t)) {
        const term_def *d = find(types, SINAU_ARRAY_LEN(types), w->ctx, NULL, json_string_value(t));
        if (d == NULL)
            return fail(w, "an unknown type", NULL);
        rdf_add(w->d, s, rdf_iri(RDF_TYPE), rdf_iri(d->iri), rdf_default_graph());
        return 0;
    }
    if (!json_is_array(t) || json_array_size(t) == 0)
        return fail(w, "type is not a string or a list of strings", NULL);
    json_array_foreach (t, i, one) {
        if (!json_is_string(one) || types_of(w, s, one) != 0)
            return fail(w, "an unknown type", NULL);
    }
    return 0;
}

/* A node object: its subject (its id, or a new blank node written into
 * label), its types, then every property. */
static int node(walk *w, const json_t *obj, int depth, rdf_term *subject, char *label)
{
    const json_t *id = json_object_get(obj, "id"), *t = json_object_get(obj, "type"), *v;
    const char *key;

    if (depth > MAX_DEPTH)
        return fail(w, "nested too deep", NULL);
    if (id != NULL) {
        if (!json_is_string(id) || !absolute_iri(json_string_value(id)))
            return fail(w, "id is not an absolute IRI", NULL);
        *subject = rdf_iri(json_string_value(id));
    } else {
        snprintf(label, 16, "b%u", w->next_bnode++);
        *subject = rdf_bnode(label);
    }
    if (types_of(w, *subject, t) != 0)
        return -1;
    json_object_foreach ((json_t *)obj, key, v) {
        const term_def *def;
        const json_t *one;
        size_t i;
        if (strcmp(key, "id") == 0 || strcmp(key, "type") == 0 ||
            (depth == 0 && strcmp(key, "@context") == 0))
            continue;
        def = prop_def(w, t, key);
        if (def == NULL)
            return fail(w, "a term this server does not know", key);
        if (!json_is_array(v)) {
            if (value(w, *subject, def, v, depth) != 0)
                return -1;
            continue;
        }
        json_array_foreach (v, i, one) {
            if (json_is_array(one) || value(w, *subject, def, one, depth) != 0)
                return fail(w, "a value this server does not sign", key);
        }
    }
    return 0;
}

static int contexts(walk *w, const json_t *c)
{
    size_t n = json_array_size(c);

    if (!json_is_array(c) || n < 1 || n > 2 || !json_is_string(json_array_get(c, 0)) ||
        strcmp(json_string_value(json_array_get(c, 0)), JSONLD_CONTEXT_VC) != 0)
        return fail(w, "@context is not the credentials v2 context (then Open Badges 3.0.3)", NULL);
    w->ctx = CTX_VC;
    if (n == 2) {
        if (!json_is_string(json_array_get(c, 1)) ||
            strcmp(json_string_value(json_array_get(c, 1)), JSONLD_CONTEXT_OB) != 0)
            return fail(w, "a context this server does not know", NULL);
        w->ctx |= CTX_OB;
    }
    return 0;
}

int jsonld_to_rdf(const json_t *doc, rdf_dataset **out, char *err, size_t errlen)
{
    walk w = {NULL, 0, 0, err, errlen};
    rdf_term s;
    char label[16];

    *out = NULL;
    if (!json_is_object(doc))
        return fail(&w, "not a JSON object", NULL);
    if (contexts(&w, json_object_get(doc, "@context")) != 0)
        return -1;
    w.d = rdf_dataset_new();
    if (node(&w, doc, 0, &s, label) != 0) {
        rdf_dataset_free(w.d);
        return -1;
    }
    *out = w.d;
    return 0;
}
