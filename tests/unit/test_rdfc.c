/* test_rdfc.c — RDF Dataset Canonicalization (rdfc.h): the examples of the
 * RDFC-1.0 recommendation (unique first-degree hashes; the three-node cycle
 * whose hashes all tie and need N-degree hashes), twins told apart only by
 * what hangs below them, literal escaping, named graphs, the same output
 * whatever the input labels and order, and the work bound. The expected
 * outputs were produced by an independent implementation (the npm package
 * rdf-canonize 5.0.0, algorithm RDFC-1.0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/rdfc.h"

/* A small N-Quads reader for the tests: IRIs, blank nodes, literals with
 * \" \\ \t escapes, a datatype or a language; one quad a line. */
static char *term_at(const char *s, size_t *i, rdf_term *t, char *dt, char *lang)
{
    char *v = calloc(1, 512);
    size_t n = 0;

    while (s[*i] == ' ')
        (*i)++;
    if (s[*i] == '<') {
        (*i)++;
        while (s[*i] != '>')
            v[n++] = s[(*i)++];
        (*i)++;
        *t = rdf_iri(v);
    } else if (s[*i] == '_') {
        *i += 2;
        while (s[*i] != ' ')
            v[n++] = s[(*i)++];
        *t = rdf_bnode(v);
    } else {
        (*i)++;
        while (s[*i] != '"') {
            if (s[*i] == '\\') {
                (*i)++;
                v[n++] = s[*i] == 't' ? '\t' : s[*i];
                (*i)++;
                continue;
            }
            v[n++] = s[(*i)++];
        }
        (*i)++;
        *t = rdf_literal(v, NULL);
        if (s[*i] == '^') {
            size_t k = 0;
            *i += 3;
            while (s[*i] != '>')
                dt[k++] = s[(*i)++];
            dt[k] = '\0';
            (*i)++;
            t->datatype = dt;
        } else if (s[*i] == '@') {
            size_t k = 0;
            (*i)++;
            while (s[*i] != ' ')
                lang[k++] = s[(*i)++];
            lang[k] = '\0';
            t->lang = lang;
        }
    }
    return v;
}

static rdf_dataset *read_nquads(const char *s)
{
    rdf_dataset *d = rdf_dataset_new();
    size_t i = 0;

    while (s[i] != '\0') {
        rdf_term t[4];
        char *v[4] = {NULL, NULL, NULL, NULL}, dt[256] = "", lang[32] = "";
        int k = 0;
        for (; k < 3; k++)
            v[k] = term_at(s, &i, &t[k], dt, lang);
        while (s[i] == ' ')
            i++;
        if (s[i] != '.')
            v[3] = term_at(s, &i, &t[3], dt, lang);
        else
            t[3] = rdf_default_graph();
        while (s[i] != '\n')
            i++;
        i++;
        rdf_add(d, t[0], t[1], t[2], t[3]);
        for (k = 0; k < 4; k++)
            free(v[k]);
    }
    return d;
}

static void expect_canonical(const char *in, const char *want)
{
    rdf_dataset *d = read_nquads(in);
    char *got = rdfc_canonize(d);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    rdf_dataset_free(d);
}

/* RDFC-1.0 section 4.4.4 / example: each blank node's first-degree hash is
 * unique. */
static void unique_first_degree_hashes(void **state)
{
    expect_canonical("<http://example.com/#p> <http://example.com/#q> _:e0 .\n"
                     "<http://example.com/#p> <http://example.com/#r> _:e1 .\n"
                     "_:e0 <http://example.com/#s> <http://example.com/#u> .\n"
                     "_:e1 <http://example.com/#t> <http://example.com/#u> .\n",
                     "<http://example.com/#p> <http://example.com/#q> _:c14n0 .\n"
                     "<http://example.com/#p> <http://example.com/#r> _:c14n1 .\n"
                     "_:c14n0 <http://example.com/#s> <http://example.com/#u> .\n"
                     "_:c14n1 <http://example.com/#t> <http://example.com/#u> .\n");
}

static const char cycle_want[] = "_:c14n0 <http://example.org/vocab#next> _:c14n2 .\n"
                                 "_:c14n0 <http://example.org/vocab#prev> _:c14n1 .\n"
                                 "_:c14n1 <http://example.org/vocab#next> _:c14n0 .\n"
                                 "_:c14n1 <http://example.org/vocab#prev> _:c14n2 .\n"
                                 "_:c14n2 <http://example.org/vocab#next> _:c14n1 .\n"
                                 "_:c14n2 <http://example.org/vocab#prev> _:c14n0 .\n";

/* The recommendation's example with duplicated paths: three nodes in a
 * cycle, all first-degree hashes equal, labelled by N-degree hashes. */
static void cycle_needs_n_degree_hashes(void **state)
{
    expect_canonical("_:e0 <http://example.org/vocab#next> _:e1 .\n"
                     "_:e0 <http://example.org/vocab#prev> _:e2 .\n"
                     "_:e1 <http://example.org/vocab#next> _:e2 .\n"
                     "_:e1 <http://example.org/vocab#prev> _:e0 .\n"
                     "_:e2 <http://example.org/vocab#next> _:e0 .\n"
                     "_:e2 <http://example.org/vocab#prev> _:e1 .\n",
                     cycle_want);
}

/* The same graph with other labels in another order: the same output. */
static void labels_and_order_do_not_matter(void **state)
{
    expect_canonical("_:zz <http://example.org/vocab#prev> _:q .\n"
                     "_:q <http://example.org/vocab#next> _:zz .\n"
                     "_:m <http://example.org/vocab#next> _:q .\n"
                     "_:zz <http://example.org/vocab#next> _:m .\n"
                     "_:m <http://example.org/vocab#prev> _:zz .\n"
                     "_:q <http://example.org/vocab#prev> _:m .\n",
                     cycle_want);
}

/* Two nodes alike in their own quads, told apart by the literals of the
 * nodes below them. */
static void twins_told_apart_by_their_children(void **state)
{
    expect_canonical("<http://example.org/a> <http://example.org/p> _:x .\n"
                     "<http://example.org/a> <http://example.org/p> _:y .\n"
                     "_:x <http://example.org/q> _:z1 .\n"
                     "_:y <http://example.org/q> _:z2 .\n"
                     "_:z1 <http://example.org/v> \"1\" .\n"
                     "_:z2 <http://example.org/v> \"2\" .\n",
                     "<http://example.org/a> <http://example.org/p> _:c14n2 .\n"
                     "<http://example.org/a> <http://example.org/p> _:c14n3 .\n"
                     "_:c14n0 <http://example.org/v> \"1\" .\n"
                     "_:c14n1 <http://example.org/v> \"2\" .\n"
                     "_:c14n2 <http://example.org/q> _:c14n0 .\n"
                     "_:c14n3 <http://example.org/q> _:c14n1 .\n");
}

static void literals_datatypes_languages_and_graphs(void **state)
{
    expect_canonical(
        "_:a <http://example.org/name> \"Tab\\there \\\"quoted\\\" back\\\\slash\" .\n"
        "_:a <http://example.org/when> "
        "\"2026-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
        "_:a <http://example.org/label> \"hai\"@id .\n"
        "<http://example.org/s> <http://example.org/o> _:a <http://example.org/g> .\n",
        "<http://example.org/s> <http://example.org/o> _:c14n0 <http://example.org/g> .\n"
        "_:c14n0 <http://example.org/label> \"hai\"@id .\n"
        "_:c14n0 <http://example.org/name> \"Tab\\there \\\"quoted\\\" back\\\\slash\" .\n"
        "_:c14n0 <http://example.org/when> "
        "\"2026-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n");
}

/* A quad added twice is one quad; xsd:string is written as a plain
 * literal. */
static void duplicates_and_xsd_string(void **state)
{
    rdf_dataset *d = rdf_dataset_new();
    char *got;

    for (int i = 0; i < 2; i++)
        rdf_add(d, rdf_iri("http://example.org/s"), rdf_iri("http://example.org/p"),
                rdf_literal("x", "http://www.w3.org/2001/XMLSchema#string"), rdf_default_graph());
    rdf_add(d, rdf_iri("http://example.org/s"), rdf_iri("http://example.org/p"),
            rdf_literal("x", NULL), rdf_default_graph());
    assert_int_equal(rdf_count(d), 1);
    got = rdfc_canonize(d);
    assert_string_equal(got, "<http://example.org/s> <http://example.org/p> \"x\" .\n");
    free(got);
    rdf_dataset_free(d);
}

/* A large clique of indistinguishable blank nodes passes the work bound:
 * refused, not computed for minutes. */
static void hostile_cliques_hit_the_work_bound(void **state)
{
    rdf_dataset *d = rdf_dataset_new();
    char a[8], b[8];
    char *got;

    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++) {
            if (i == j)
                continue;
            snprintf(a, sizeof a, "n%d", i);
            snprintf(b, sizeof b, "n%d", j);
            rdf_add(d, rdf_bnode(a), rdf_iri("http://example.org/p"), rdf_bnode(b),
                    rdf_default_graph());
        }
    got = rdfc_canonize(d);
    assert_null(got);
    rdf_dataset_free(d);
}

/* A literal longer than RDFC_TEXT_MAX (a blank node's quad, so the
 * first-degree hash meets it too): refused, not built. */
static void text_past_the_cap_is_refused(void **state)
{
    rdf_dataset *d = rdf_dataset_new();
    char *big = malloc(RDFC_TEXT_MAX + 2);

    (void)state;
    assert_non_null(big);
    memset(big, 'a', RDFC_TEXT_MAX + 1);
    big[RDFC_TEXT_MAX + 1] = '\0';
    rdf_add(d, rdf_bnode("b0"), rdf_iri("http://example.org/p"), rdf_literal(big, NULL),
            rdf_default_graph());
    free(big);
    assert_null(rdf_nquads(d));
    assert_null(rdfc_canonize(d));
    rdf_dataset_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unique_first_degree_hashes),
        cmocka_unit_test(cycle_needs_n_degree_hashes),
        cmocka_unit_test(labels_and_order_do_not_matter),
        cmocka_unit_test(twins_told_apart_by_their_children),
        cmocka_unit_test(literals_datatypes_languages_and_graphs),
        cmocka_unit_test(duplicates_and_xsd_string),
        cmocka_unit_test(hostile_cliques_hit_the_work_bound),
        cmocka_unit_test(text_past_the_cap_is_refused),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
