/* registry.c — gathers every resource module's route table into the router
 * and describes them as an OpenAPI 3.1 document, so the document grows with
 * each endpoint by construction. */
#include "sinau/api/registry.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/attempts.h"
#include "sinau/api/certificates.h"
#include "sinau/api/registrations.h"
#include "sinau/api/routes.h"
#include "sinau/auth/sesscache.h"

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

static json_t *operation(const http_route *route)
{
    json_t *op = json_pack("{s:{s:{s:s}, s:{s:s}}}", "responses", "200", "description", "success",
                           "default", "$ref", "#/components/responses/Error");
    json_t *params = path_parameters(route->pattern);

    if (route->summary != NULL)
        json_object_set_new(op, "summary", json_string(route->summary));
    if (route->access < SINAU_ARRAY_LEN(access_names))
        json_object_set_new(op, "x-sinau-access", json_string(access_names[route->access]));
    if (json_array_size(params) > 0)
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    return op;
}

static json_t *components(void)
{
    return json_pack("{s:{s:{s:s, s:[s], s:{s:{s:s, s:[s,s], s:{s:{s:s}, s:{s:s}, s:{s:s}}}}}},"
                     " s:{s:{s:s, s:{s:{s:{s:s}}}}}}",
                     "schemas", "Error", "type", "object", "required", "error", "properties",
                     "error", "type", "object", "required", "code", "message", "properties", "code",
                     "type", "string", "message", "type", "string", "details", "type", "object",
                     "responses", "Error", "description",
                     "error: {\"error\":{\"code\",\"message\"}}", "content", "application/json",
                     "schema", "$ref", "#/components/schemas/Error");
}

char *api_openapi_build(const router *r, const char *public_url, size_t *len)
{
    size_t n;
    const http_route *const *all = router_routes(r, &n);
    json_t *paths = json_object();
    json_t *doc;
    char *text;

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
                json_object_set_new(item, key, operation(all[i]));
        }
    }
    doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:o}", "openapi", "3.1.0", "info",
                    "title", "Sinau API", "version", SINAU_VERSION, "description",
                    "Training programmes, cohorts, registration, learning and certificates.",
                    "servers", "url", public_url, "paths", paths, "components", components());
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    *len = strlen(text);
    return text;
}
