/* demo_cmd.c — `sinau demo seed`: the demo a newcomer sees after the first
 * `make run` (scripts/dev.sh runs it after making the demo logins, never
 * `serve`). The story's programme, "Sinau TikTok dan YouTube", with two
 * modules of real lessons (one with a YouTube video, one with a table), an
 * assignment with a rubric and a due date, a cohort of three segments whose
 * registration is open, a live session, and the demo participant
 * registered. It goes through the same SQL functions as the API (the
 * lessons rendered by markdown_render, as publishing does) in one
 * transaction, and records itself in the audit log: a database that was
 * seeded once is never seeded again. */
#include "sinau/cli/demo_cmd.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"
#include "sinau/core/markdown.h"
#include "sinau/core/video.h"
#include "sinau/db/ha.h"

#define DEMO_SLUG "sinau-tiktok-youtube"

typedef struct demo_lesson {
    const char *title, *video, *body;
    int minutes;
} demo_lesson;

static const demo_lesson MODULE1[] = {
    {"Mengenal TikTok dan YouTube untuk layanan publik",
     "https://www.youtube.com/watch?v=jNQXAC9IVRw",
     "## Mengapa video pendek?\n\n"
     "Warga Kota Malang lebih banyak membuka ponsel daripada membaca papan pengumuman. Video "
     "pendek yang jelas membuat informasi layanan — jadwal, syarat, lokasi — sampai ke mereka.\n\n"
     "Dalam pelajaran ini Anda akan:\n\n"
     "- mengenal perbedaan **TikTok** (vertikal, 15–60 detik) dan **YouTube** (panjang, mudah "
     "dicari);\n"
     "- melihat contoh akun instansi yang konsisten;\n"
     "- menentukan satu layanan yang akan Anda promosikan selama pelatihan.\n\n"
     "Tonton video di atas sebagai contoh video pertama yang pernah diunggah ke YouTube: "
     "sederhana, tetapi jelas siapa, di mana, dan apa pesannya.",
     12},
    {"Merencanakan konten: tujuan, audiens, dan pesan", NULL,
     "## Satu video, satu pesan\n\n"
     "Sebelum merekam, tuliskan tiga hal: **siapa** penontonnya, **apa** yang harus mereka "
     "lakukan setelah menonton, dan **kapan** video diunggah.\n\n"
     "| Platform | Durasi ideal | Format | Waktu unggah |\n"
     "|:--|--:|:--|:--|\n"
     "| TikTok | 15–60 detik | Vertikal 9:16 | 11.00–13.00 atau 19.00–21.00 |\n"
     "| YouTube Shorts | ≤ 60 detik | Vertikal 9:16 | 17.00–20.00 |\n"
     "| YouTube | 3–8 menit | Horizontal 16:9 | Akhir pekan pagi |\n\n"
     "Hindari ~~video panjang tanpa naskah~~: naskah singkat menghemat waktu rekaman.\n\n"
     "> Tip: tulis naskah dalam 3 kalimat — pembuka yang menarik, isi, dan ajakan.",
     15},
};

static const demo_lesson MODULE2[] = {
    {"Merekam dengan ponsel: cahaya, suara, dan komposisi", NULL,
     "## Tiga kunci gambar yang baik\n\n"
     "1. **Cahaya** — rekam menghadap jendela, bukan membelakanginya.\n"
     "2. **Suara** — dekatkan ponsel atau pakai mikrofon jepit; matikan kipas angin.\n"
     "3. **Komposisi** — mata sepertiga dari atas layar, sisakan ruang di atas kepala.\n\n"
     "Rekam setiap adegan dua kali. Cadangan selalu lebih murah daripada rekaman ulang.",
     20},
    {"Menyunting dan mengunggah", NULL,
     "## Dari rekaman ke unggahan\n\n"
     "Potong jeda di awal dan akhir, tambahkan teks di layar untuk informasi penting (alamat, "
     "jam layanan), dan pilih musik bebas royalti dari pustaka aplikasi.\n\n"
     "Saat mengunggah, tulis keterangan singkat dengan tagar instansi, misalnya "
     "`#MalangKota`, dan cantumkan tautan ke laman layanan.",
     18},
};

static const char ASSIGNMENT_MD[] =
    "Buat **video profil satu layanan** instansi atau usaha Anda, 30–60 detik, lalu unggah ke "
    "TikTok atau YouTube.\n\n"
    "Kirim tautan videonya di sini, dan tulis dalam dua atau tiga kalimat siapa penontonnya dan "
    "apa yang Anda ingin mereka lakukan.\n\n"
    "Nilai lulus: 70 dari 100.";

/* One value of a statement (row 0, column 0) as a new string (free()), or
 * NULL with a message on stderr. */
static char *one(PGconn *pg, const char *sql, int n, const char *const *params)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    char *out = NULL;

    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        out = xstrdup(PQgetvalue(res, 0, 0));
    else if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fprintf(stderr, "sinau: demo: %s", PQerrorMessage(pg));
    PQclear(res);
    return out;
}

/* Runs a function returning {status, body} and gives body.id (free()), or
 * NULL with a message when the status is not want. */
static char *created(PGconn *pg, const char *sql, int n, const char *const *params, int want)
{
    char *text = one(pg, sql, n, params), *id = NULL;
    json_t *r = text != NULL ? json_loads(text, 0, NULL) : NULL;

    if (r != NULL && json_integer_value(json_object_get(r, "status")) == want) {
        const char *v = json_string_value(json_object_get(json_object_get(r, "body"), "id"));
        id = xstrdup(v != NULL ? v : "");
    } else if (text != NULL) {
        fprintf(stderr, "sinau: demo: unexpected answer %.300s\n", text);
    }
    json_decref(r);
    free(text);
    return id;
}

static int add_lessons(PGconn *pg, const char *module_id, const char *admin,
                       const demo_lesson *lessons, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_pack("{s:s, s:s, s:i}", "title", lessons[i].title, "body_md",
                              lessons[i].body, "duration_minutes", lessons[i].minutes);
        char embed[VIDEO_EMBED_MAX], *fields, *id;
        enum video_provider prov =
            lessons[i].video != NULL ? video_parse(lessons[i].video, embed) : VIDEO_NONE;
        if (prov != VIDEO_NONE) {
            json_object_set_new(f, "video_url", json_string(lessons[i].video));
            json_object_set_new(f, "video_provider", json_string(video_provider_name(prov)));
            json_object_set_new(f, "video_embed_url", json_string(embed));
        }
        fields = json_dumps(f, JSON_COMPACT);
        json_decref(f);
        id = created(pg, "select content_lesson_create($1, $2::jsonb, $3, 'admin')", 3,
                     (const char *[]){module_id, fields, admin}, 201);
        free(fields);
        if (id == NULL)
            return -1;
        free(id);
    }
    return 0;
}

static const char RUBRIC[] =
    "[{\"title\":\"Pesan jelas\",\"levels\":[{\"title\":\"Belum jelas\",\"points\":0},"
    "{\"title\":\"Cukup\",\"points\":20},{\"title\":\"Jelas dan singkat\",\"points\":40}]},"
    "{\"title\":\"Gambar dan suara\",\"levels\":[{\"title\":\"Kurang\",\"points\":0},"
    "{\"title\":\"Cukup\",\"points\":15},{\"title\":\"Baik\",\"points\":30}]},"
    "{\"title\":\"Ajakan bertindak\",\"levels\":[{\"title\":\"Tidak ada\",\"points\":0},"
    "{\"title\":\"Ada\",\"points\":15},{\"title\":\"Ada dan spesifik\",\"points\":30}]}]";

/* The draft: two modules, four lessons, the assignment. *assignment gets
 * its id (free()). */
static int seed_draft(PGconn *pg, const char *admin, char **assignment)
{
    char *m1 = created(pg, "select content_module_create($1, $2, 0, $3, 'admin')", 3,
                       (const char *[]){DEMO_SLUG, "Dasar-dasar konten video pendek", admin}, 201);
    char *m2 = created(pg, "select content_module_create($1, $2, 1, $3, 'admin')", 3,
                       (const char *[]){DEMO_SLUG, "Produksi dan publikasi", admin}, 201);
    json_t *a = json_pack("{s:s, s:s, s:[s,s], s:i, s:i, s:b, s:i}", "title",
                          "Video profil layanan 60 detik", "instructions_md", ASSIGNMENT_MD,
                          "submission_types", "url", "text", "max_score", 100, "pass_score", 70,
                          "required", 1, "max_attempts", 3);
    char *fields;
    int rc = -1;

    json_object_set_new(a, "rubric", json_loads(RUBRIC, 0, NULL));
    fields = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    *assignment = NULL;
    if (m1 == NULL || m2 == NULL ||
        add_lessons(pg, m1, admin, MODULE1, sizeof MODULE1 / sizeof MODULE1[0]) != 0 ||
        add_lessons(pg, m2, admin, MODULE2, sizeof MODULE2 / sizeof MODULE2[0]) != 0)
        goto out;
    *assignment = created(pg, "select asg_create($1, $2::jsonb, $3, 'admin')", 3,
                          (const char *[]){m2, fields, admin}, 201);
    rc = *assignment != NULL ? 0 : -1;
out:
    free(m1);
    free(m2);
    free(fields);
    return rc;
}

/* Publishes the draft as version 1: every lesson and the assignment's
 * instructions rendered as publishing renders them. */
static int seed_publish(PGconn *pg, const char *admin)
{
    PGresult *res = PQexecParams(
        pg,
        "select p.id, p.draft_rev, x.id, x.md from programmes p join lateral ("
        " select l.id, l.body_md as md from lessons l join modules m on m.id = l.module_id"
        "  where m.programme_id = p.id"
        " union all select a.id, a.instructions_md from assignments a"
        "  join modules m on m.id = a.module_id where m.programme_id = p.id) x on true"
        " where p.slug = $1",
        1, NULL, (const char *[]){DEMO_SLUG}, NULL, NULL, 0);
    json_t *html = json_object();
    char *text = NULL, *id = NULL;
    int rc = -1;

    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) == 0)
        goto out;
    for (int i = 0; i < PQntuples(res); i++) {
        char *out = markdown_render(PQgetvalue(res, i, 3), (size_t)PQgetlength(res, i, 3));
        json_object_set_new(html, PQgetvalue(res, i, 2), json_string(out != NULL ? out : ""));
        free(out);
    }
    text = json_dumps(html, JSON_COMPACT);
    id = created(pg, "select content_publish($1, $2::bigint, $3::jsonb, $4)", 4,
                 (const char *[]){PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), text, admin}, 201);
    rc = id != NULL ? 0 : -1; /* the version has no id: "" */
out:
    PQclear(res);
    json_decref(html);
    free(text);
    free(id);
    return rc;
}

/* The cohort (registration open since yesterday, for two weeks; the
 * classes from next week), its instructor, the assignment's due date, a
 * live session, and the demo participant registered in the UMKM segment. */
static int seed_cohort(PGconn *pg, const char *admin, const char *instructor,
                       const char *participant, const char *assignment)
{
    char *cohort =
        one(pg,
            "select reg_cohort_create($1, jsonb_build_object('name', 'Angkatan 1',"
            " 'registration_opens_at', now() - interval '1 day',"
            " 'registration_closes_at', now() + interval '14 days',"
            " 'starts_on', current_date + 7, 'ends_on', current_date + 35, 'jp', 24,"
            " 'segments', jsonb_build_array("
            "   jsonb_build_object('segment', 'asn', 'quota', 70, 'waitlist', true),"
            "   jsonb_build_object('segment', 'umkm', 'quota', 30, 'waitlist', true),"
            "   jsonb_build_object('segment', 'public', 'quota', 70, 'waitlist', true))),"
            " $2) ->> 'id'",
            2, (const char *[]){DEMO_SLUG, admin});
    char *done = NULL;
    int rc = -1;

    if (cohort == NULL)
        return -1;
    done = one(
        pg,
        "with i as (insert into cohort_instructors (cohort_id, user_id) values ($1, $2)"
        "   returning 1),"
        " a as (insert into programme_authors (programme_id, user_id, added_by)"
        "   select programme_id, $2, $3 from cohorts where id = $1 returning 1),"
        " s as (insert into cohort_sessions (cohort_id, title, starts_at, ends_at, place)"
        "   values ($1, 'Praktik bersama: merekam video profil',"
        "     ((current_date + 9)::timestamp + interval '9 hours') at time zone 'Asia/Jakarta',"
        "     ((current_date + 9)::timestamp + interval '12 hours') at time zone 'Asia/Jakarta',"
        "     'Ruang Rapat Diskominfo, Balai Kota Malang') returning 1),"
        " d as (select asg_schedule($1, $4, now() + interval '21 days',"
        "   now() + interval '24 days', $3, 'admin') as r),"
        " p as (select auth_profile_put($5, '{\"business_name\": \"Warung Kopi Demo\","
        "   \"business_sector\": \"Kuliner\", \"district\": \"Lowokwaru\"}', 1, 'demo'))"
        " select (d.r ->> 'status') from d, p, i, a, s",
        5, (const char *[]){cohort, instructor, admin, assignment, participant});
    if (done == NULL || strcmp(done, "200") != 0)
        goto out;
    free(done);
    done = one(pg, "select reg_register($1, $2, 'umkm') ->> 'status'", 2,
               (const char *[]){cohort, participant});
    if (done == NULL || strcmp(done, "201") != 0)
        goto out;
    free(done);
    done = one(pg,
               "insert into audit_log (actor_id, action, details) values ($1, 'demo.seeded',"
               " jsonb_build_object('programme', $2::text, 'cohort_id', $3::text)) returning 'ok'",
               3, (const char *[]){admin, DEMO_SLUG, cohort});
    rc = done != NULL ? 0 : -1;
out:
    if (rc != 0 && done != NULL)
        fprintf(stderr, "sinau: demo: the cohort step answered %s\n", done);
    free(done);
    free(cohort);
    return rc;
}

/* The id of the account with this e-mail (free()), or NULL with a message. */
static char *user_id(PGconn *pg, const char *email)
{
    char *id = one(pg, "select id from users where email = $1", 1, (const char *[]){email});

    if (id == NULL)
        fprintf(stderr, "sinau: demo: no account %s (make the demo logins first)\n", email);
    return id;
}

/* The whole seed inside the caller's transaction. Returns 0 seeded, 1
 * nothing to do (seeded before), -1 failed. */
static int seed(PGconn *pg, const cli_demo_args *a)
{
    char *admin = NULL, *instructor = NULL, *participant = NULL, *assignment = NULL, *seen;
    int rc = -1;

    /* two first runs at once: the second waits, then finds the first */
    free(one(pg, "select pg_advisory_xact_lock(hashtext('sinau.demo'))::text", 0, NULL));
    seen = one(pg,
               "select 'seeded' where exists (select 1 from audit_log where action = 'demo.seeded')"
               " or exists (select 1 from programmes where slug = $1)",
               1, (const char *[]){DEMO_SLUG});
    if (seen != NULL) {
        free(seen);
        return 1;
    }
    admin = user_id(pg, a->admin);
    instructor = user_id(pg, a->instructor);
    participant = user_id(pg, a->participant);
    if (admin == NULL || instructor == NULL || participant == NULL)
        goto out;
    free(one(pg, "select reg_programme_create($1, $2, $3, $4) ->> 'id'", 4,
             (const char *[]){DEMO_SLUG, "Sinau TikTok dan YouTube",
                              "Pelatihan membuat konten video pendek untuk ASN, pelaku UMKM, "
                              "dan masyarakat umum Kota Malang: merencanakan, merekam, "
                              "menyunting, dan mengunggah ke TikTok dan YouTube.",
                              admin}));
    if (seed_draft(pg, admin, &assignment) != 0 || seed_publish(pg, admin) != 0 ||
        seed_cohort(pg, admin, instructor, participant, assignment) != 0)
        goto out;
    rc = 0;
out:
    free(admin);
    free(instructor);
    free(participant);
    free(assignment);
    return rc;
}

int cli_demo_seed(const sinau_config *cfg, const cli_demo_args *args)
{
    PGconn *pg = db_connect_blocking(cfg->database_url);
    PGresult *res;
    int rc = 1, r;

    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "sinau: cannot connect to the database: %s", PQerrorMessage(pg));
        goto out;
    }
    PQclear(PQexec(pg, "set client_min_messages = warning"));
    PQclear(PQexec(pg, "begin"));
    r = seed(pg, args);
    res = PQexec(pg, r == 0 ? "commit" : "rollback");
    if (r == 0 && PQresultStatus(res) == PGRES_COMMAND_OK) {
        printf("demo: seeded \"Sinau TikTok dan YouTube\" (/programmes/" DEMO_SLUG ")\n");
        rc = 0;
    } else if (r == 1) {
        printf("demo: already seeded once; nothing done\n");
        rc = 0;
    }
    PQclear(res);
out:
    PQfinish(pg);
    return rc;
}
