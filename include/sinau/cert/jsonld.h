/* cert/jsonld.h — JSON-LD to RDF for the documents this server signs and
 * checks: Open Badges 3.0 credentials, Bitstring Status List credentials
 * and Data Integrity proof configurations, under the contexts
 * https://www.w3.org/ns/credentials/v2 and
 * https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json (CERTIFICATES.md).
 *
 * Not a general JSON-LD processor, on purpose: the server only ever signs
 * documents of its own fixed shape, so instead of loading and processing
 * contexts it carries a term map holding exactly the terms those shapes
 * use, copied from the two bundled contexts with their scopes (a type's
 * scoped context applies to the properties of a node of that type and not
 * below it, as JSON-LD 1.1's type-scoped contexts do), their IRIs and
 * their type coercions. Anything else — another context, an unknown term,
 * a value of a kind the term map does not expect, a relative IRI, a
 * fractional number — is refused with a reason, never guessed. The tests
 * check the result against independent JSON-LD processors (the npm
 * verifiers, tests/api/credentials_di.test.mjs).
 *
 * Pure code, thread-safe. Out of memory aborts (alloc.h). */
#ifndef SINAU_CERT_JSONLD_H
#define SINAU_CERT_JSONLD_H

#include <jansson.h>
#include <stddef.h>

#include "sinau/cert/rdfc.h"
#include "sinau/core/common.h"

#define JSONLD_CONTEXT_VC "https://www.w3.org/ns/credentials/v2"
#define JSONLD_CONTEXT_OB "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

/* The RDF dataset of doc (a JSON object with an "@context" of
 * JSONLD_CONTEXT_VC, optionally followed by JSONLD_CONTEXT_OB). Blank nodes
 * are labelled b0, b1, … in document order. Returns 0 with *out owned
 * (rdf_dataset_free), or -1 with *out NULL and a one-line reason in err
 * (names the term, never quotes a value). */
SINAU_MUST_CHECK int jsonld_to_rdf(const json_t *doc, rdf_dataset **out, char *err, size_t errlen);

#endif /* SINAU_CERT_JSONLD_H */
