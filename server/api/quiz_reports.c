/* quiz_reports.c — what a cohort's staff read of its quizzes (issue 15):
 * the pre/post-test report (each participant's scores, means, medians,
 * gain, Hake's normalised gain, the share who passed, item analysis), a
 * survey's results (distributions, free texts), and the attempts on one
 * quiz — as JSON, the first two also as CSV for spreadsheets in the
 * Indonesian locale (csv.h). The SQL builds every figure and decides who
 * may read (404 otherwise); the CSV is only laid out here. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/call.h"
#include "sinau/core/csv.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* A JSON number as the sheet shows it (decimal comma, at most three
 * places, no trailing zeros); NULL for null. */
static const char *comma_number(char *buf, size_t n, json_t *v)
{
    char *comma, *end;

    if (api_decimal_comma(buf, n, v, 3) == NULL)
        return NULL;
    comma = strchr(buf, ',');
    if (comma == NULL)
        return buf;
    end = buf + strlen(buf);
    while (end > comma + 1 && end[-1] == '0')
        *--end = '\0';
    if (end == comma + 1)
        *comma = '\0';
    return buf;
}

static void number_cell(csv_buf *b, json_t *v)
{
    char num[64];

    csv_number(b, comma_number(num, sizeof num, v));
}

static const char *yes_no(json_t *v)
{
    return json_is_true(v) ? "ya" : json_is_false(v) ? "tidak" : NULL;
}

/* Parses the JSON a statement returned (owned by the request), or replies
 * (error or 404) and returns NULL. */
static void header_row(csv_buf *b, const char *const *names)
{
    for (; *names != NULL; names++)
        csv_field(b, *names);
    csv_end_row(b);
}

/* ---- the pre/post-test report ---- */

static void participants_csv(csv_buf *b, json_t *rows)
{
    static const char *const head[] = {
        "nama",          "segmen", "pre-test (%)",    "post-test (%)",
        "gain (poin %)", "g",      "lulus post-test", NULL};
    size_t i;
    json_t *row;

    header_row(b, head);
    json_array_foreach (rows, i, row) {
        csv_field(b, json_string_value(json_object_get(json_object_get(row, "user"), "full_name")));
        csv_field(b, json_string_value(json_object_get(row, "segment")));
        number_cell(b, json_object_get(row, "pre"));
        number_cell(b, json_object_get(row, "post"));
        number_cell(b, json_object_get(row, "gain"));
        number_cell(b, json_object_get(row, "g"));
        csv_field(b, yes_no(json_object_get(row, "passed")));
        csv_end_row(b);
    }
}

static void summary_csv(csv_buf *b, json_t *s)
{
    static const char *const rows[][2] = {
        {"peserta", "participants"},
        {"mengerjakan pre-test", "n_pre"},
        {"mengerjakan post-test", "n_post"},
        {"mengerjakan keduanya", "n_both"},
        {"rata-rata pre-test (%)", "pre_mean"},
        {"median pre-test (%)", "pre_median"},
        {"rata-rata post-test (%)", "post_mean"},
        {"median post-test (%)", "post_median"},
        {"rata-rata gain (poin %)", "mean_gain"},
        {"gain ternormalisasi <g> (Hake)", "hake_g"},
        {"rata-rata g per peserta", "mean_g"},
        {"lulus post-test", "passed"},
        {"proporsi lulus", "passed_share"},
    };

    csv_field(b, "ringkasan");
    csv_field(b, "nilai");
    csv_end_row(b);
    for (size_t i = 0; i < SINAU_ARRAY_LEN(rows); i++) {
        csv_field(b, rows[i][0]);
        number_cell(b, json_object_get(s, rows[i][1]));
        csv_end_row(b);
    }
}

/* "A ✓ 12 | B 3" — each option's letter, ✓ when right, how often chosen;
 * or the most frequent short answers. */
static void options_cell(csv_buf *b, json_t *item)
{
    char cell[2048] = "";
    json_t *list = json_object_get(item, "options"), *o;
    size_t i, at;
    bool answers = false;

    if (!json_is_array(list)) {
        list = json_object_get(item, "answers");
        answers = true;
    }
    json_array_foreach (list, i, o) {
        at = strlen(cell);
        if (answers)
            snprintf(cell + at, sizeof cell - at, "%s%s%s %lld", i ? " | " : "",
                     json_string_value(json_object_get(o, "text")),
                     json_is_true(json_object_get(o, "correct")) ? " ✓" : "",
                     (long long)json_integer_value(json_object_get(o, "count")));
        else
            snprintf(cell + at, sizeof cell - at, "%s%c%s %lld", i ? " | " : "", (int)('A' + i),
                     json_is_true(json_object_get(o, "correct")) ? " ✓" : "",
                     (long long)json_integer_value(json_object_get(o, "chosen")));
    }
    csv_field(b, cell);
}

static const char *quiz_title(json_t *quizzes, const char *id)
{
    size_t i;
    json_t *q;

    json_array_foreach (quizzes, i, q)
        if (id != NULL && strcmp(json_string_value(json_object_get(q, "id")), id) == 0)
            return json_string_value(json_object_get(q, "title"));
    return NULL;
}

static void items_csv(csv_buf *b, json_t *items, json_t *quizzes)
{
    static const char *const head[] = {"kuis",
                                       "no",
                                       "soal",
                                       "tipe",
                                       "n",
                                       "tingkat kesukaran (p)",
                                       "daya beda (D, 27%)",
                                       "pilihan / jawaban (berapa kali)",
                                       NULL};
    size_t i;
    json_t *it;

    header_row(b, head);
    json_array_foreach (items, i, it) {
        csv_field(b, quiz_title(quizzes, json_string_value(json_object_get(it, "quiz_id"))));
        number_cell(b, json_object_get(it, "ordinal"));
        csv_field(b, json_string_value(json_object_get(it, "stem")));
        csv_field(b, json_string_value(json_object_get(it, "type")));
        number_cell(b, json_object_get(it, "n"));
        number_cell(b, json_object_get(it, "difficulty"));
        number_cell(b, json_object_get(it, "discrimination"));
        options_cell(b, it);
        csv_end_row(b);
    }
}

static void report_write(csv_buf *b, json_t *doc)
{
    participants_csv(b, json_object_get(doc, "participants"));
    csv_end_row(b);
    summary_csv(b, json_object_get(doc, "summary"));
    csv_end_row(b);
    items_csv(b, json_object_get(doc, "items"), json_object_get(doc, "quizzes"));
}

static const api_csv report_csv = {report_write, "laporan-kuis.csv", "no such cohort"};

/* ---- survey results ---- */

static void distribution_cell(csv_buf *b, json_t *q)
{
    char cell[2048] = "";
    json_t *list = json_object_get(q, "distribution"), *o;
    bool likert = json_is_array(list);
    size_t i, at;

    if (!likert)
        list = json_object_get(q, "options");
    json_array_foreach (list, i, o) {
        at = strlen(cell);
        if (likert)
            snprintf(cell + at, sizeof cell - at, "%s%lld: %lld", i ? " | " : "",
                     (long long)json_integer_value(json_object_get(o, "value")),
                     (long long)json_integer_value(json_object_get(o, "count")));
        else
            snprintf(cell + at, sizeof cell - at, "%s%s: %lld", i ? " | " : "",
                     json_string_value(json_object_get(o, "text")),
                     (long long)json_integer_value(json_object_get(o, "count")));
    }
    csv_field(b, cell);
}

static void survey_write(csv_buf *b, json_t *doc)
{
    static const char *const head[] = {"no",      "pertanyaan", "tipe", "jawaban",
                                       "sebaran", "rata-rata",  NULL};
    static const char *const texts_head[] = {"no", "pertanyaan", "jawaban teks", "nama", NULL};
    json_t *q, *t;
    size_t i, j;

    header_row(b, head);
    json_array_foreach (json_object_get(doc, "questions"), i, q) {
        number_cell(b, json_object_get(q, "ordinal"));
        csv_field(b, json_string_value(json_object_get(q, "stem")));
        csv_field(b, json_string_value(json_object_get(q, "type")));
        number_cell(b, json_object_get(q, "answers"));
        distribution_cell(b, q);
        number_cell(b, json_object_get(q, "mean"));
        csv_end_row(b);
    }
    csv_end_row(b);
    header_row(b, texts_head);
    json_array_foreach (json_object_get(doc, "questions"), i, q) {
        json_array_foreach (json_object_get(q, "texts"), j, t) {
            number_cell(b, json_object_get(q, "ordinal"));
            csv_field(b, json_string_value(json_object_get(q, "stem")));
            csv_field(b, json_string_value(json_object_get(t, "text")));
            csv_field(b,
                      json_string_value(json_object_get(json_object_get(t, "user"), "full_name")));
            csv_end_row(b);
        }
    }
}

static const api_csv survey_csv = {survey_write, "hasil-survei.csv", "no such survey"};

/* The route table (server/api/routes/quiz_reports.json, generated at build time). */
#include "routes/quiz_reports.inc"
