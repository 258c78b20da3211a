/* registry.c — gathers every resource module's route table into the router
 * and describes them as an OpenAPI 3.1 document, so the document grows with
 * each endpoint by construction. Request and response bodies come from the
 * per-resource route declarations (server/api/routes/, api/schemas.h) that
 * the route tables are generated from, joined here by method and pattern;
 * api_schemas_check reports a route without them. */
#include "sinau/api/registry.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/attempts.h"
#include "sinau/api/certificates.h"
#include "sinau/api/registrations.h"
#include "sinau/api/routes.h"
#include "sinau/api/schemas.h"
#include "sinau/api/services.h"
#include "sinau/auth/sesscache.h"
#include "sinau/core/alloc.h"
#include "sinau/core/log.h"

typedef const http_route *(*routes_fn)(size_t *n);

/* Every resource module, in the order their routes are listed. */
static const routes_fn modules[] = {
    system_routes,        /* health, readiness, metrics, OpenAPI */
    auth_routes,          /* signup, login, logout */
    me_routes,            /* the caller's account and profile */
    users_routes,         /* accounts administration */
    programmes_routes,    /* the catalogue */
    cohorts_routes,       /* cohorts, quotas, instructors */
    registrations_routes, /* seats, waitlists, the fairness log */
    content_routes,       /* authoring and publishing */
    learning_routes,      /* lessons and progress */
    sessions_routes,      /* live sessions, attendance, calendar */
    assignments_routes,   /* assignments: authoring, schedule, reading */
    submissions_routes,   /* handing in work, files */
    grading_routes,       /* queue, grades, release, gradebook */
    quizzes_routes,       /* quizzes: authoring, preview, windows */
    questions_routes,     /* questions and the CSV question bank */
    attempts_routes,      /* taking a quiz */
    quiz_reports_routes,  /* pre/post report, item analysis, survey results */
    certificates_routes,  /* rules, eligibility, issuing, revoking */
    credentials_routes,   /* public checks: verify page, PDF, keys, status list */
    records_routes,       /* achievement pages, JP by year, the BKN export */
    messages_routes,      /* delivery log, channel choices, announcements */
    recovery_routes,      /* password reset and change, e-mail verification */
    signatories_routes,   /* who signs certificates, their images */
};

int api_register_all(router *r, bool debug)
{
    size_t n;
    const http_route *rows;

    for (size_t i = 0; i < SINAU_ARRAY_LEN(modules); i++) {
        rows = modules[i](&n);
        if (router_add_table(r, rows, n) != 0)
            return -1;
    }
    if (debug) {
        rows = debug_routes(&n);
        if (router_add_table(r, rows, n) != 0)
            return -1;
    }
    return 0;
}

void api_tick(const api_services *svc)
{
    registrations_tick(svc->db);
    attempts_tick(svc->db);
    certificates_tick(svc);
}

/* sql/functions/registration.sql notifies sinau_offers (reg_promote);
 * accounts.sql's triggers notify sinau_sessions (the session cache). */
const char *const api_listen_channels[] = {"sinau_offers", "sinau_sessions", NULL};

void api_on_notify(api_services *svc, const char *channel, const char *payload)
{
    if (strcmp(channel, "sinau_offers") == 0)
        registrations_on_offer(svc, payload);
    else if (strcmp(channel, "sinau_sessions") == 0)
        sesscache_notify(svc->sessions, payload);
}

void api_on_listening(api_services *svc)
{
    registrations_on_listening(svc);
}

/* The OpenAPI key of one method bit: its name (router.h's one table) in
 * lower case; false for bits that are no method. */
static bool method_key(unsigned bit, char key[16])
{
    const char *name = router_method_name(bit);
    size_t i = 0;

    if (name == NULL)
        return false;
    for (; name[i] != '\0' && i + 1 < 16; i++)
        key[i] = (char)tolower((unsigned char)name[i]);
    key[i] = '\0';
    return true;
}

static json_t *path_parameters(const char *pattern)
{
    json_t *params = json_array();
    const char *p = pattern;

    while ((p = strchr(p, '{')) != NULL) {
        const char *end = strchr(p, '}');
        if (end == NULL)
            break;
        json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
                                                (size_t)(end - p - 1), "in", "path", "required", 1,
                                                "schema", "type", "string"));
        p = end + 1;
    }
    return params;
}

/* Who may call a route, as the route table says (auth_access), for the
 * document's x-sinau-access: the authorization tests read it. */
static const char *const access_names[] = {"none", "optional", "signed_in", "staff", "admin"};

/* Adds each route entry of one declaration file's "routes" array (NULL:
 * none) to keyed under "METHOD /pattern"; -1 when one is not an object with
 * a method and a pattern, or is declared twice. */
static int key_routes(json_t *keyed, json_t *routes)
{
    size_t i;
    json_t *entry;

    if (routes != NULL && !json_is_array(routes))
        return -1;
    json_array_foreach (routes, i, entry) {
        const char *method = json_string_value(json_object_get(entry, "method"));
        const char *pattern = json_string_value(json_object_get(entry, "pattern"));
        char key[320];

        if (method == NULL || pattern == NULL)
            return -1;
        snprintf(key, sizeof key, "%s %s", method, pattern);
        if (json_object_get(keyed, key) != NULL)
            return -1;
        json_object_set(keyed, key, entry);
    }
    return 0;
}

/* The embedded route declarations joined into one object {"components":
 * {…}, "routes": {"METHOD /pattern": entry}}; NULL (logged) when a file is
 * not valid JSON of the shape {components, routes: [entry…]}, which
 * api_schemas_check reports too (routes.cmake refuses it at build time). */
static json_t *schema_tables(char *msg, size_t msg_len)
{
    json_t *all = json_pack("{s:o, s:o}", "components", json_object(), "routes", json_object());

    for (int i = 0; i < api_schema_file_count; i++) {
        json_error_t err;
        json_t *f = json_loads(api_schema_files[i].text, JSON_REJECT_DUPLICATES, &err);
        json_t *comp = json_object_get(f, "components");

        if (!json_is_object(comp) ||
            json_object_update_missing(json_object_get(all, "components"), comp) != 0 ||
            key_routes(json_object_get(all, "routes"), json_object_get(f, "routes")) != 0) {
            snprintf(msg, msg_len, "%s: not {components, routes: [entry…]} (line %d: %s)",
                     api_schema_files[i].name, err.line, f == NULL ? err.text : "");
            json_decref(f);
            json_decref(all);
            return NULL;
        }
        json_decref(f);
    }
    return all;
}

/* An OpenAPI content map for a spec: {"content": {…}} as it is, otherwise
 * the spec is the schema of an application/json body. New reference. */
static json_t *content_of(json_t *spec)
{
    json_t *content = json_object_get(spec, "content");

    if (content != NULL && json_object_size(spec) == 1)
        return json_incref(content);
    return json_pack("{s:{s:O}}", "application/json", "schema", spec);
}

/* The responses object of an operation: each declared status with its
 * body (null: none), and every other status an Error. */
static json_t *responses_of(json_t *entry)
{
    json_t *out = json_pack("{s:{s:s}}", "default", "$ref", "#/components/responses/Error");
    json_t *declared = json_object_get(entry, "responses");
    const char *status;
    json_t *spec;

    json_object_foreach (declared, status, spec) {
        json_t *r = json_pack("{s:s}", "description", status[0] == '2' ? "success" : "answer");
        if (!json_is_null(spec))
            json_object_set_new(r, "content", content_of(spec));
        json_object_set_new(out, status, r);
    }
    return out;
}

/* Appends the query parameters an entry declares ("query": {name: {"schema":
 * …, "description": …}}) to params, as OpenAPI parameter objects. */
static void query_parameters(json_t *params, json_t *entry)
{
    const char *name;
    json_t *q;

    json_object_foreach (json_object_get(entry, "query"), name, q) {
        json_t *p = json_pack("{s:s, s:s, s:O}", "name", name, "in", "query", "schema",
                              json_object_get(q, "schema"));
        json_t *about = json_object_get(q, "description");

        if (p == NULL)
            continue;
        if (about != NULL)
            json_object_set(p, "description", about);
        json_array_append_new(params, p);
    }
}

static json_t *operation(const http_route *route, json_t *entry)
{
    json_t *op = json_pack("{s:o}", "responses", responses_of(entry));
    json_t *params = path_parameters(route->pattern);
    json_t *request = json_object_get(entry, "request");
    json_t *about = json_object_get(entry, "description");

    query_parameters(params, entry);
    if (route->summary != NULL)
        json_object_set_new(op, "summary", json_string(route->summary));
    if (json_is_string(about))
        json_object_set(op, "description", about);
    if (route->access < SINAU_ARRAY_LEN(access_names))
        json_object_set_new(op, "x-sinau-access", json_string(access_names[route->access]));
    if (json_array_size(params) > 0)
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    if (request != NULL && !json_is_null(request))
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:o}", "required",
                                      !json_is_true(json_object_get(entry, "request_optional")),
                                      "content", content_of(request)));
    return op;
}

/* The schema entry of one method of a route ("GET /api/v1/x"), borrowed. */
static json_t *route_entry(json_t *tables, const char *key, const char *pattern)
{
    char name[320];

    snprintf(name, sizeof name, "%s %s", key, pattern);
    for (char *c = name; *c != ' '; c++)
        *c = (char)toupper((unsigned char)*c);
    return json_object_get(json_object_get(tables, "routes"), name);
}

/* The document's components: the shared Error reply and every resource
 * file's named schemas. */
static json_t *components(json_t *tables)
{
    return json_pack("{s:O, s:{s:{s:s, s:{s:{s:{s:s}}}}}}", "schemas",
                     json_object_get(tables, "components"), "responses", "Error", "description",
                     "error: {\"error\":{\"code\",\"message\"[,\"details\"]}}", "content",
                     "application/json", "schema", "$ref", "#/components/schemas/Error");
}

char *api_openapi_build(const router *r, const char *public_url, size_t *len)
{
    size_t n;
    const http_route *const *all = router_routes(r, &n);
    char why[256];
    json_t *tables = schema_tables(why, sizeof why);
    json_t *paths = json_object();
    json_t *doc;
    char *text;

    if (tables == NULL) {
        log_write(LOG_ERROR, NULL, "API schemas: %s", why);
        tables = json_pack("{s:{}, s:{}}", "components", "routes");
    }
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_object_get(paths, all[i]->pattern);
        if (item == NULL) {
            item = json_object();
            json_object_set_new(paths, all[i]->pattern, item);
        }
        for (unsigned b = 0; b < 16; b++) {
            char key[16];
            if ((all[i]->methods & (1u << b)) != 0 && (1u << b) != ROUTER_HEAD &&
                method_key(1u << b, key))
                json_object_set_new(item, key,
                                    operation(all[i], route_entry(tables, key, all[i]->pattern)));
        }
    }
    doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:o}", "openapi", "3.1.0", "info",
                    "title", "Sinau API", "version", SINAU_VERSION, "description",
                    "Training programmes, cohorts, registration, learning and certificates.",
                    "servers", "url", public_url, "paths", paths, "components", components(tables));
    json_decref(tables);
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    *len = strlen(text);
    return text;
}

/* Appends one problem line to msg (while it fits) and counts it. */
static int problem(char *msg, size_t msg_len, const char *what, const char *name)
{
    size_t used = strlen(msg);

    if (used < msg_len)
        snprintf(msg + used, msg_len - used, "%s: %s\n", name, what);
    return 1;
}

/* Problems of one route method's entry: none, or no 2xx, or no request. */
static int entry_problems(json_t *entry, unsigned bit, const char *name, char *msg, size_t len)
{
    const char *status;
    json_t *spec;
    bool ok = false;

    if (entry == NULL)
        return problem(msg, len, "no schema entry", name);
    json_object_foreach (json_object_get(entry, "responses"), status, spec)
        ok = ok || status[0] == '2' || status[0] == '3';
    if (!ok)
        return problem(msg, len, "no 2xx/3xx response declared", name);
    if ((bit & (ROUTER_POST | ROUTER_PUT | ROUTER_PATCH)) != 0 &&
        json_object_get(entry, "request") == NULL)
        return problem(msg, len, "no request declared (null: none)", name);
    return 0;
}

int api_schemas_check(const router *r, char *msg, size_t msg_len)
{
    size_t n;
    const http_route *const *all = router_routes(r, &n);
    json_t *tables, *used = json_object(), *entry;
    const char *name;
    int bad = 0;

    msg[0] = '\0';
    tables = schema_tables(msg, msg_len);
    if (tables == NULL) {
        json_decref(used);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        for (unsigned b = 0; b < 16; b++) {
            char key[16], full[320];
            if ((all[i]->methods & (1u << b)) == 0 || (1u << b) == ROUTER_HEAD ||
                !method_key(1u << b, key))
                continue;
            entry = route_entry(tables, key, all[i]->pattern);
            snprintf(full, sizeof full, "%s %s", router_method_name(1u << b), all[i]->pattern);
            bad += entry_problems(entry, 1u << b, full, msg, msg_len);
            json_object_set_new(used, full, json_true());
        }
    }
    json_object_foreach (json_object_get(tables, "routes"), name, entry)
        if (json_object_get(used, name) == NULL)
            bad += problem(msg, msg_len, "schema entry for no route", name);
    json_decref(used);
    json_decref(tables);
    return bad;
}

/* ---- the declared request bodies, by route index and method ---- */

#define METHOD_BITS 16

struct api_bodies {
    size_t n;         /* routes */
    json_t **schemas; /* [route index - 1][method bit]: owned, or NULL */
};

/* A copy of spec with every {"$ref": "#/components/schemas/Name"} replaced
 * by that component (itself resolved). New reference. */
static json_t *resolved(json_t *spec, json_t *components, int depth)
{
    const char *ref = json_string_value(json_object_get(spec, "$ref"));
    static const char prefix[] = "#/components/schemas/";
    json_t *out, *v;
    const char *key;
    size_t i;

    if (ref != NULL && strncmp(ref, prefix, sizeof prefix - 1) == 0 && depth < 16)
        return resolved(json_object_get(components, ref + sizeof prefix - 1), components,
                        depth + 1);
    if (json_is_object(spec)) {
        out = json_object();
        json_object_foreach (spec, key, v)
            json_object_set_new(out, key, resolved(v, components, depth));
        return out;
    }
    if (json_is_array(spec)) {
        out = json_array();
        json_array_foreach (spec, i, v)
            json_array_append_new(out, resolved(v, components, depth));
        return out;
    }
    return spec != NULL ? json_incref(spec) : json_null();
}

/* The body schema of one entry: its "request" when that is a JSON Schema
 * (not null, not a content map of another medium). New reference or NULL. */
static json_t *request_schema_of(json_t *entry, json_t *components)
{
    json_t *spec = json_object_get(entry, "request");

    if (!json_is_object(spec) || json_object_get(spec, "content") != NULL)
        return NULL;
    return resolved(spec, components, 0);
}

api_bodies *api_bodies_build(const router *r)
{
    size_t n;
    const http_route *const *all = router_routes(r, &n);
    char why[256];
    json_t *tables = schema_tables(why, sizeof why);
    api_bodies *b;

    if (tables == NULL) {
        log_write(LOG_ERROR, NULL, "API schemas: %s", why);
        return NULL;
    }
    b = xcalloc(1, sizeof *b);
    b->n = n;
    b->schemas = xcalloc(n * METHOD_BITS + 1, sizeof *b->schemas);
    for (size_t i = 0; i < n; i++)
        for (unsigned bit = 0; bit < METHOD_BITS; bit++) {
            char key[16];
            if ((all[i]->methods & (1u << bit)) != 0 && method_key(1u << bit, key))
                b->schemas[i * METHOD_BITS + bit] =
                    request_schema_of(route_entry(tables, key, all[i]->pattern),
                                      json_object_get(tables, "components"));
        }
    json_decref(tables);
    return b;
}

void api_bodies_free(api_bodies *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; i < b->n * METHOD_BITS; i++)
        json_decref(b->schemas[i]);
    free(b->schemas);
    free(b);
}

const json_t *api_request_schema(const http_ctx *ctx)
{
    const api_bodies *b = api_svc(ctx)->bodies;
    unsigned index = ctx->match.index, bit = 0;

    if (b == NULL || index == 0 || index > b->n)
        return NULL;
    while (bit < METHOD_BITS && ctx->method != 1u << bit)
        bit++;
    return bit < METHOD_BITS ? b->schemas[(index - 1) * METHOD_BITS + bit] : NULL;
}
