/* cert/rdfc.h — RDF datasets and their canonical form, RDF Dataset
 * Canonicalization (RDFC-1.0, W3C Recommendation 2024) with SHA-256: the
 * canonical labelling of blank nodes (first-degree hashes, then N-degree
 * hashes with permutations for the nodes whose first-degree hashes tie)
 * and canonical N-Quads, as the Data Integrity cryptosuite eddsa-rdfc-2022
 * hashes them (diproof.h).
 *
 * Pure code, no global state: thread-safe once sodium_init() has
 * succeeded. Out of memory aborts (alloc.h). The N-degree step is bounded
 * (RDFC_MAX_WORK hash computations, as the recommendation asks of an
 * implementation fed hostile data): past it canonicalization fails. */
#ifndef SINAU_CERT_RDFC_H
#define SINAU_CERT_RDFC_H

#include <stddef.h>

#include "sinau/core/common.h"

#define RDFC_MAX_WORK 100000 /* N-degree hash computations before giving up */
/* The longest text (a line, a path, the document) canonicalization builds */
#define RDFC_TEXT_MAX ((size_t)16 << 20)

typedef enum rdf_kind {
    RDF_IRI,
    RDF_BNODE,   /* value is the label without "_:" */
    RDF_LITERAL, /* value is the lexical form; datatype NULL means xsd:string */
    RDF_DEFAULT, /* the default graph (graph position only) */
} rdf_kind;

/* A term; the strings belong to whoever made the term (rdf_add copies). */
typedef struct rdf_term {
    rdf_kind kind;
    const char *value;
    const char *datatype; /* literals only; NULL: xsd:string */
    const char *lang;     /* literals only; NULL: none */
} rdf_term;

typedef struct rdf_dataset rdf_dataset;

/* An empty dataset (owned: rdf_dataset_free). */
rdf_dataset *rdf_dataset_new(void);
void rdf_dataset_free(rdf_dataset *d);

/* Adds the quad (s p o g), copying every string; g's kind RDF_DEFAULT for
 * the default graph. A quad already present is not added twice. */
void rdf_add(rdf_dataset *d, rdf_term s, rdf_term p, rdf_term o, rdf_term g);

size_t rdf_count(const rdf_dataset *d);

/* Term constructors (borrow their arguments). */
rdf_term rdf_iri(const char *iri);
rdf_term rdf_bnode(const char *label);
rdf_term rdf_literal(const char *lexical, const char *datatype);
rdf_term rdf_default_graph(void);

/* The dataset as N-Quads with its own labels, lines sorted (owned), or
 * NULL when it would pass RDFC_TEXT_MAX. */
char *rdf_nquads(const rdf_dataset *d);

/* The canonical N-Quads of d (RDFC-1.0: blank nodes relabelled c14n0,
 * c14n1, …, one line per quad, lines in code point order, each ending in
 * "\n"). Returns an owned string (free()), or NULL when the N-degree step
 * passed RDFC_MAX_WORK or a text would pass RDFC_TEXT_MAX. */
char *rdfc_canonize(const rdf_dataset *d);

#endif /* SINAU_CERT_RDFC_H */
