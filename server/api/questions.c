/* questions.c — a quiz's questions in the draft (issue 15): add, edit,
 * remove, list, and the question bank as CSV an office can keep in a
 * spreadsheet and bring into another programme's quiz.
 *
 * The CSV (one question a row, a header row naming the columns in any
 * order, Indonesian or English names):
 *   tipe     single|multiple|true_false|short_text|numeric|likert|text, or
 *            pg, pg_kompleks, benar_salah, isian, angka, skala, uraian
 *   soal     the question, Markdown
 *   opsi_a … opsi_j   the options of a choice question, Markdown
 *   kunci    the key: option letters ("B", "A, C"), benar/salah, the short
 *            answer, or the number (decimal comma or point)
 *   toleransi, poin (numbers), penilaian (semua|sebagian: all-or-nothing
 *   or partial credit), penjelasan (Markdown), tag (comma-separated)
 * Rows are read here into the same JSON a POST takes, and the SQL checks
 * each as it checks a POST (all or nothing; a refusal names the sheet row).
 * The export writes the same columns back, so a bank goes round trip. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/access.h"
#include "sinau/api/call.h"
#include "sinau/core/csv.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

#define IMPORT_MAX  (1024 * 1024) /* bytes of CSV */
#define OPTIONS_MAX 10

/* ---- one at a time ---- */

static int question_body(http_ctx *ctx, json_t *body)
{
    json_t *v[9];

    return http_unpack(ctx, body, "{s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o}", "type", &v[0],
                       "stem_md", &v[1], "options", &v[2], "answer", &v[3], "points", &v[4],
                       "scoring", &v[5], "explanation_md", &v[6], "tags", &v[7], "position", &v[8]);
}

/* ---- reading the sheet ---- */

enum column {
    COL_TYPE,
    COL_STEM,
    COL_KEY,
    COL_TOLERANCE,
    COL_POINTS,
    COL_SCORING,
    COL_EXPLANATION,
    COL_TAGS,
    COL_OPTION, /* + letter index */
    COL_UNKNOWN
};

typedef struct alias {
    const char *name;
    const char *value;
} alias;

/* The header names a column goes by (folded, as fold() writes them). */
static const struct {
    const char *name;
    enum column col;
} column_names[] = {
    // clang-format off
    {"tipe", COL_TYPE},            {"type", COL_TYPE},            {"jenis", COL_TYPE},
    {"soal", COL_STEM},            {"pertanyaan", COL_STEM},      {"stem", COL_STEM},
    {"stem_md", COL_STEM},         {"kunci", COL_KEY},            {"jawaban", COL_KEY},
    {"kunci_jawaban", COL_KEY},    {"key", COL_KEY},              {"answer", COL_KEY},
    {"toleransi", COL_TOLERANCE},  {"tolerance", COL_TOLERANCE},  {"poin", COL_POINTS},
    {"bobot", COL_POINTS},         {"points", COL_POINTS},        {"nilai", COL_POINTS},
    {"penilaian", COL_SCORING},    {"scoring", COL_SCORING},      {"penjelasan", COL_EXPLANATION},
    {"pembahasan", COL_EXPLANATION}, {"explanation", COL_EXPLANATION},
    {"explanation_md", COL_EXPLANATION}, {"tag", COL_TAGS},       {"tags", COL_TAGS},
    {"kategori", COL_TAGS},
    // clang-format on
};

static const alias type_names[] = {
    {"single", "single"},
    {"pg", "single"},
    {"pilihan_ganda", "single"},
    {"multiple", "multiple"},
    {"pg_kompleks", "multiple"},
    {"pilihan_ganda_kompleks", "multiple"},
    {"true_false", "true_false"},
    {"benar_salah", "true_false"},
    {"bs", "true_false"},
    {"short_text", "short_text"},
    {"isian", "short_text"},
    {"isian_singkat", "short_text"},
    {"numeric", "numeric"},
    {"angka", "numeric"},
    {"numerik", "numeric"},
    {"likert", "likert"},
    {"skala", "likert"},
    {"skala_likert", "likert"},
    {"text", "text"},
    {"uraian", "text"},
    {"esai", "text"},
    {"teks", "text"},
};

/* A header or keyword folded for matching: ASCII lower case, blanks,
 * '-' and '/' as '_', ends trimmed. Writes into out (always terminated). */
static void fold(const char *s, char *out, size_t n)
{
    size_t o = 0;

    while (*s == ' ' || *s == '\t')
        s++;
    for (; *s != '\0' && o + 1 < n; s++) {
        unsigned char c = (unsigned char)*s;
        out[o++] = (c == ' ' || c == '-' || c == '/' || c == '\t') ? '_' : (char)tolower(c);
    }
    while (o > 0 && out[o - 1] == '_')
        o--;
    out[o] = '\0';
}

static const char *lookup(const alias *table, size_t n, const char *folded)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, folded) == 0)
            return table[i].value;
    return NULL;
}

/* The column a header names; *letter set for options (0 = A). */
static enum column column_of(const char *header, int *letter)
{
    char f[64];
    const char *tail = NULL;

    fold(header, f, sizeof f);
    if (strncmp(f, "opsi_", 5) == 0 || strncmp(f, "option_", 7) == 0 ||
        strncmp(f, "pilihan_", 8) == 0)
        tail = strchr(f, '_') + 1;
    else if (f[0] != '\0' && f[1] == '\0')
        tail = f;
    if (tail != NULL && tail[0] >= 'a' && tail[0] < 'a' + OPTIONS_MAX && tail[1] == '\0') {
        *letter = tail[0] - 'a';
        return COL_OPTION;
    }
    for (size_t i = 0; i < SINAU_ARRAY_LEN(column_names); i++)
        if (strcmp(column_names[i].name, f) == 0)
            return column_names[i].col;
    return COL_UNKNOWN;
}

/* A cell as we wrote it on export, without the quote that kept a formula
 * from running (csv.h), and without blanks at the ends. In ctx memory. */
static const char *cell_text(http_ctx *ctx, json_t *row, int col)
{
    const char *s = col >= 0 ? json_string_value(json_array_get(row, (size_t)col)) : NULL;
    size_t n;

    if (s == NULL)
        return "";
    if (s[0] == '\'' && strchr("=+-@\t\r", s[1]) != NULL && s[1] != '\0')
        s++;
    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return http_ctx_strndup(ctx, s, n);
}

/* A number as people type it: a decimal comma or point, an optional sign.
 * Returns a new JSON number or NULL. */
static json_t *number_of(const char *s)
{
    char buf[64];
    char *end = NULL;
    size_t n = strlen(s);
    double v;

    if (n == 0 || n >= sizeof buf)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        buf[i] = s[i] == ',' ? '.' : s[i];
    if (strspn(buf, "+-0123456789.") != n)
        return NULL;
    v = strtod(buf, &end);
    if (end == buf || *end != '\0')
        return NULL;
    return json_real(v);
}

typedef struct sheet {
    int col[COL_UNKNOWN];    /* column index of each, -1 when absent */
    int option[OPTIONS_MAX]; /* column of opsi_a … */
} sheet;

/* Maps the header row. Returns 0, or replies 422 and returns -1. */
static int read_header(http_ctx *ctx, json_t *header, sheet *sh)
{
    size_t i;
    json_t *cell;

    for (int k = 0; k < COL_UNKNOWN; k++)
        sh->col[k] = -1;
    for (int k = 0; k < OPTIONS_MAX; k++)
        sh->option[k] = -1;
    json_array_foreach (header, i, cell) {
        int letter = 0;
        const char *name = json_string_value(cell);
        enum column c;
        if (name == NULL || name[0] == '\0')
            continue;
        c = column_of(name, &letter);
        if (c == COL_UNKNOWN) {
            http_reply_error_details(
                ctx, 422, "unknown_column", "a column the import does not know",
                json_pack("{s:i, s:I}", "row", 1, "column", (json_int_t)i + 1));
            return -1;
        }
        if (c == COL_OPTION)
            sh->option[letter] = (int)i;
        else
            sh->col[c] = (int)i;
    }
    if (sh->col[COL_TYPE] < 0 || sh->col[COL_STEM] < 0) {
        http_reply_error_details(ctx, 422, "missing_column",
                                 "the header names at least tipe and soal",
                                 json_pack("{s:i}", "row", 1));
        return -1;
    }
    return 0;
}

/* The key of a choice question: option letters, each one letter ("AC",
 * "A, C", "a/c"). Marks them correct in options (by letter). */
static bool mark_key(const char *key, json_t *by_letter[OPTIONS_MAX])
{
    bool any = false;

    for (const char *p = key; *p != '\0'; p++) {
        int c = tolower((unsigned char)*p);
        if (c == ' ' || c == ',' || c == '/' || c == '\t')
            continue;
        if (c < 'a' || c >= 'a' + OPTIONS_MAX || by_letter[c - 'a'] == NULL)
            return false;
        json_object_set_new(by_letter[c - 'a'], "correct", json_true());
        any = true;
    }
    return any || key[0] == '\0';
}

static int true_false_of(const char *s)
{
    char f[16];

    fold(s, f, sizeof f);
    if (!strcmp(f, "benar") || !strcmp(f, "b") || !strcmp(f, "true") || !strcmp(f, "ya") ||
        !strcmp(f, "1") || !strcmp(f, "t"))
        return 1;
    if (!strcmp(f, "salah") || !strcmp(f, "s") || !strcmp(f, "false") || !strcmp(f, "tidak") ||
        !strcmp(f, "0") || !strcmp(f, "f"))
        return 0;
    return -1;
}

/* Replies 422 for a cell of sheet row `row` and returns NULL. */
static json_t *bad_cell(http_ctx *ctx, const char *code, const char *message, size_t row)
{
    http_reply_error_details(ctx, 422, code, message, json_pack("{s:I}", "row", (json_int_t)row));
    return NULL;
}

/* The key and answer members of one row, by type. NULL after a reply. */
static json_t *row_key(http_ctx *ctx, json_t *q, const char *type, const char *key, const char *tol,
                       json_t *by_letter[OPTIONS_MAX], size_t line)
{
    json_t *v;

    if (!strcmp(type, "single") || !strcmp(type, "multiple")) {
        if (!mark_key(key, by_letter))
            return bad_cell(ctx, "invalid_key", "kunci names option letters (A, B, …)", line);
    } else if (!strcmp(type, "true_false")) {
        int tf = true_false_of(key);
        if (tf < 0)
            return bad_cell(ctx, "invalid_key", "kunci is benar or salah", line);
        json_object_set_new(q, "answer", json_pack("{s:b}", "value", tf));
    } else if (!strcmp(type, "short_text")) {
        json_object_set_new(q, "answer", json_pack("{s:s}", "text", key));
    } else if (!strcmp(type, "numeric")) {
        v = number_of(key);
        if (v == NULL)
            return bad_cell(ctx, "invalid_key", "kunci is a number", line);
        json_object_set_new(q, "answer", json_pack("{s:o}", "value", v));
        if (tol[0] != '\0') {
            v = number_of(tol);
            if (v == NULL)
                return bad_cell(ctx, "invalid_tolerance", "toleransi is a number", line);
            json_object_set_new(json_object_get(q, "answer"), "tolerance", v);
        }
    }
    return q;
}

/* One sheet row as the JSON of a POST, or NULL after a reply. */
static json_t *row_question(http_ctx *ctx, const sheet *sh, json_t *row, size_t line)
{
    char folded[32];
    const char *type;
    json_t *q, *options = json_array(), *by_letter[OPTIONS_MAX] = {0}, *points;
    const char *s;

    fold(cell_text(ctx, row, sh->col[COL_TYPE]), folded, sizeof folded);
    type = lookup(type_names, SINAU_ARRAY_LEN(type_names), folded);
    if (type == NULL) {
        json_decref(options);
        return bad_cell(ctx, "invalid_type", "tipe is not a question type", line);
    }
    q = json_pack("{s:s, s:s, s:I}", "type", type, "stem_md",
                  cell_text(ctx, row, sh->col[COL_STEM]), "row", (json_int_t)line);
    for (int k = 0; k < OPTIONS_MAX; k++) {
        s = cell_text(ctx, row, sh->option[k]);
        if (s[0] == '\0')
            continue;
        by_letter[k] = json_pack("{s:s}", "text_md", s);
        json_array_append_new(options, by_letter[k]);
    }
    json_object_set_new(q, "options", options);
    if (row_key(ctx, q, type, cell_text(ctx, row, sh->col[COL_KEY]),
                cell_text(ctx, row, sh->col[COL_TOLERANCE]), by_letter, line) == NULL)
        goto failed;
    s = cell_text(ctx, row, sh->col[COL_POINTS]);
    if (s[0] != '\0') {
        points = number_of(s);
        if (points == NULL) {
            bad_cell(ctx, "invalid_points", "poin is a number", line);
            goto failed;
        }
        json_object_set_new(q, "points", points);
    }
    s = cell_text(ctx, row, sh->col[COL_SCORING]);
    fold(s, folded, sizeof folded);
    if (s[0] != '\0')
        json_object_set_new(
            q, "scoring",
            json_string(!strcmp(folded, "sebagian") || !strcmp(folded, "partial") ? "partial"
                        : !strcmp(folded, "semua") || !strcmp(folded, "all_or_nothing")
                            ? "all_or_nothing"
                            : folded));
    json_object_set_new(q, "explanation_md",
                        json_string(cell_text(ctx, row, sh->col[COL_EXPLANATION])));
    json_object_set_new(q, "tags", json_array());
    s = cell_text(ctx, row, sh->col[COL_TAGS]);
    for (const char *p = s; *p != '\0';) {
        size_t n = strcspn(p, ",");
        const char *t = http_ctx_strndup(ctx, p, n);
        while (*t == ' ')
            t++;
        if (*t != '\0')
            json_array_append_new(json_object_get(q, "tags"), json_string(t));
        p += n + (p[n] == ',');
    }
    return q;
failed:
    json_decref(q);
    return NULL;
}

/* POST /api/v1/quizzes/{id}/questions/import (raw CSV body): adds every row
 * as a question, all or nothing → 201 {imported, questions}. */
static void question_import(http_ctx *ctx)
{
    size_t len, line, i;
    const unsigned char *data = http_body(ctx, &len);
    json_t *rows = NULL, *items, *row;
    enum csv_read_error e = csv_parse((const char *)data, len, &rows, &line);
    sheet sh;

    http_own_json(ctx, rows);
    if (e != CSV_OK) {
        http_reply_error_details(ctx, 422, "invalid_csv", csv_read_error_text(e),
                                 json_pack("{s:I}", "row", (json_int_t)line));
        return;
    }
    items = http_own_json(ctx, json_array());
    if (read_header(ctx, json_array_get(rows, 0), &sh) != 0)
        return;
    json_array_foreach (rows, i, row) {
        json_t *q;
        if (i == 0 || json_array_size(row) == 0)
            continue;
        q = row_question(ctx, &sh, row, i + 1);
        if (q == NULL)
            return;
        json_array_append_new(items, q);
    }
    api_call_route_body(ctx, items); /* routes/questions.json: quiz_questions_import */
}

/* ---- the bank out ---- */

/* A JSON number as the sheet shows it (decimal comma); "" for null. */
static const char *sheet_number(char *buf, size_t n, json_t *v)
{
    char *dot;

    if (!json_is_number(v))
        return "";
    snprintf(buf, n, "%.15g", json_number_value(v));
    dot = strchr(buf, '.');
    if (dot != NULL)
        *dot = ',';
    return buf;
}

/* The kunci cell of a question (letters for choices). */
static void key_cell(csv_buf *b, json_t *q, char *num, size_t n)
{
    const char *type = json_string_value(json_object_get(q, "type"));
    json_t *answer = json_object_get(q, "answer");
    char letters[3 * OPTIONS_MAX] = "";
    size_t i;
    json_t *o;

    if (!strcmp(type, "single") || !strcmp(type, "multiple")) {
        json_array_foreach (json_object_get(q, "options"), i, o) {
            if (i < OPTIONS_MAX && json_is_true(json_object_get(o, "correct"))) {
                size_t at = strlen(letters);
                snprintf(letters + at, sizeof letters - at, "%s%c", at ? ", " : "", (int)('A' + i));
            }
        }
        csv_field(b, letters);
    } else if (!strcmp(type, "true_false")) {
        csv_field(b, json_is_true(json_object_get(answer, "value")) ? "benar" : "salah");
    } else if (!strcmp(type, "short_text")) {
        csv_field(b, json_string_value(json_object_get(answer, "text")));
    } else if (!strcmp(type, "numeric")) {
        csv_number(b, sheet_number(num, n, json_object_get(answer, "value")));
    } else {
        csv_field(b, NULL);
    }
}

static void export_row(csv_buf *b, json_t *q, size_t width)
{
    char num[64];
    json_t *options = json_object_get(q, "options"), *answer = json_object_get(q, "answer");
    json_t *tag;
    char tags[640]; /* at most 10 tags of 50 characters (UTF-8: 4 bytes each is 2,000; cut) */
    size_t i;

    csv_field(b, json_string_value(json_object_get(q, "type")));
    csv_field(b, json_string_value(json_object_get(q, "stem_md")));
    for (i = 0; i < width; i++)
        csv_field(b, json_string_value(json_object_get(json_array_get(options, i), "text_md")));
    key_cell(b, q, num, sizeof num);
    csv_number(b, json_is_number(json_object_get(answer, "tolerance")) &&
                          json_number_value(json_object_get(answer, "tolerance")) > 0
                      ? sheet_number(num, sizeof num, json_object_get(answer, "tolerance"))
                      : NULL);
    csv_number(b, sheet_number(num, sizeof num, json_object_get(q, "points")));
    csv_field(b, !strcmp(json_string_value(json_object_get(q, "scoring")), "partial") ? "sebagian"
                                                                                      : "semua");
    csv_field(b, json_string_value(json_object_get(q, "explanation_md")));
    tags[0] = '\0';
    json_array_foreach (json_object_get(q, "tags"), i, tag) {
        size_t at = strlen(tags);
        snprintf(tags + at, sizeof tags - at, "%s%s", i ? ", " : "", json_string_value(tag));
    }
    csv_field(b, tags);
    csv_end_row(b);
}

static void export_write(csv_buf *b, json_t *book)
{
    json_t *questions, *q;
    size_t width = 4, i;
    char col[16];

    questions = json_object_get(book, "items");
    json_array_foreach (questions, i, q)
        if (json_array_size(json_object_get(q, "options")) > width)
            width = json_array_size(json_object_get(q, "options"));
    csv_field(b, "tipe");
    csv_field(b, "soal");
    for (i = 0; i < width; i++) {
        snprintf(col, sizeof col, "opsi_%c", (int)('a' + i));
        csv_field(b, col);
    }
    for (const char *const *h = (const char *const[]){"kunci", "toleransi", "poin", "penilaian",
                                                      "penjelasan", "tag", NULL};
         *h != NULL; h++)
        csv_field(b, *h);
    csv_end_row(b);
    json_array_foreach (questions, i, q)
        export_row(b, q, width);
}

static const api_csv export_csv = {export_write, "bank-soal.csv", "no such quiz"};

/* The route table (server/api/routes/questions.json, generated at build time). */
#include "routes/questions.inc"
