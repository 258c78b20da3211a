/* pdfsign.c — PAdES B-B signatures on our certificate PDFs by an
 * incremental update, CMS by OpenSSL, optional RFC 3161 timestamps by
 * libcurl (see pdfsign.h). */
#define _GNU_SOURCE /* memmem */
#include "sinau/cert/pdfsign.h"

#include <curl/curl.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/certwords.h"
#include "sinau/cert/i18n_words.h" /* generated from web/i18n/<lang>/certificate.json */
#include "sinau/core/alloc.h"
#include "sinau/core/dynbuf.h"

#define NAME_MAX_BYTES 256
#define TSA_MAX_ANSWER (64 * 1024)
#define TSA_TIMEOUT_S  15

struct pdfsign_signer {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) * chain;
    char name[NAME_MAX_BYTES], issuer[NAME_MAX_BYTES], not_after[16];
    char *tsa_url;
    pthread_mutex_t lock;
};

/* ---- loading ---- */

static int refuse(char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s", why);
    return -1;
}

/* The first line of path, without its line end, into pass. */
static int read_password(const char *path, char *pass, size_t cap)
{
    FILE *f = fopen(path, "r");
    int rc = -1;

    if (f == NULL)
        return -1;
    if (fgets(pass, (int)cap, f) != NULL) {
        pass[strcspn(pass, "\r\n")] = '\0';
        rc = 0;
    } else if (feof(f)) {
        pass[0] = '\0';
        rc = 0;
    }
    fclose(f);
    return rc;
}

/* The common name of a name, else the whole name in one line. */
static void name_text(const X509_NAME *n, char *out, size_t cap)
{
    if (X509_NAME_get_text_by_NID((X509_NAME *)n, NID_commonName, out, (int)cap) <= 0)
        X509_NAME_oneline(n, out, (int)cap);
}

static void describe(pdfsign_signer *s)
{
    struct tm tm;

    name_text(X509_get_subject_name(s->cert), s->name, sizeof s->name);
    name_text(X509_get_issuer_name(s->cert), s->issuer, sizeof s->issuer);
    if (ASN1_TIME_to_tm(X509_get0_notAfter(s->cert), &tm) == 1)
        strftime(s->not_after, sizeof s->not_after, "%Y-%m-%d", &tm);
}

int pdfsign_load(const char *p12_path, const char *password_file, const char *tsa_url,
                 pdfsign_signer **out, char *err, size_t errlen)
{
    char pass[1024];
    pdfsign_signer *s;
    PKCS12 *p12 = NULL;
    FILE *f;
    int rc = -1;

    *out = NULL;
    curl_global_init(CURL_GLOBAL_DEFAULT); /* start-up: before any worker uses curl */
    if (password_file == NULL || read_password(password_file, pass, sizeof pass) != 0)
        return refuse(err, errlen, "SINAU_PDF_SIGN_PASSWORD_FILE cannot be read");
    f = fopen(p12_path, "rb");
    if (f != NULL) {
        p12 = d2i_PKCS12_fp(f, NULL);
        fclose(f);
    }
    s = xcalloc(1, sizeof *s);
    if (p12 == NULL) {
        refuse(err, errlen, "SINAU_PDF_SIGN_P12 is not a readable PKCS#12 file");
    } else if (PKCS12_parse(p12, pass, &s->key, &s->cert, &s->chain) != 1 || s->key == NULL ||
               s->cert == NULL) {
        refuse(err, errlen, "SINAU_PDF_SIGN_P12 does not open with its password");
    } else if (X509_check_private_key(s->cert, s->key) != 1) {
        refuse(err, errlen, "SINAU_PDF_SIGN_P12: the key is not the certificate's");
    } else {
        describe(s);
        s->tsa_url = tsa_url != NULL ? xstrdup(tsa_url) : NULL;
        pthread_mutex_init(&s->lock, NULL);
        *out = s;
        s = NULL;
        rc = 0;
    }
    OPENSSL_cleanse(pass, sizeof pass);
    PKCS12_free(p12);
    if (s != NULL) {
        EVP_PKEY_free(s->key);
        X509_free(s->cert);
        sk_X509_pop_free(s->chain, X509_free);
        free(s);
    }
    ERR_clear_error();
    return rc;
}

void pdfsign_free(pdfsign_signer *s)
{
    if (s == NULL)
        return;
    EVP_PKEY_free(s->key);
    X509_free(s->cert);
    sk_X509_pop_free(s->chain, X509_free);
    free(s->tsa_url);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *pdfsign_signer_name(const pdfsign_signer *s)
{
    return s->name;
}

const char *pdfsign_issuer_name(const pdfsign_signer *s)
{
    return s->issuer;
}

const char *pdfsign_not_after(const pdfsign_signer *s)
{
    return s->not_after;
}

const char *pdfsign_tsa_url(const pdfsign_signer *s)
{
    return s->tsa_url;
}

/* The signed PDF is built in a dynbuf: the renderer's bytes, then the
 * incremental update (a few KiB and the signature's hex slot). */
#define SIGNED_MAX_EXTRA (256 * 1024)

/* ---- reading the PDF the renderer made ---- */

typedef struct pdfdoc {
    const char *p;
    size_t n;
    long xref; /* offset of the last cross-reference table */
    int size, root, info;
    long *off; /* offset of each object, size entries */
} pdfdoc;

static long number_after(const char *s, const char *key)
{
    const char *k = strstr(s, key);

    return k != NULL ? strtol(k + strlen(key), NULL, 10) : -1;
}

/* The trailer's /Size, /Root and /Info, and each object's offset from the
 * one cross-reference subsection the renderer writes. */
static int read_xref(pdfdoc *d)
{
    const char *end = d->p + d->n, *x = d->p + d->xref, *t;
    char trailer[512];
    int first, count;

    if (d->xref <= 0 || (size_t)d->xref >= d->n || sscanf(x, "xref %d %d", &first, &count) != 2 ||
        first != 0 || count < 2 || count > 100000)
        return -1;
    x = memchr(x + 5, '\n', (size_t)(end - x - 5));
    if (x == NULL || x + 1 + 20 * (size_t)count > end)
        return -1;
    x++;
    t = x + 20 * (size_t)count;
    if ((size_t)(end - t) < 8 || strncmp(t, "trailer", 7) != 0)
        return -1;
    snprintf(trailer, sizeof trailer, "%.*s", (int)((size_t)(end - t) < 511 ? end - t : 511), t);
    d->size = (int)number_after(trailer, "/Size");
    d->root = (int)number_after(trailer, "/Root");
    d->info = (int)number_after(trailer, "/Info");
    if (d->size != count || d->root <= 0 || d->root >= count || strstr(trailer, "/Prev") != NULL)
        return -1;
    d->off = xcalloc((size_t)count, sizeof *d->off);
    for (int i = 0; i < count; i++)
        d->off[i] = strtol(x + 20 * (size_t)i, NULL, 10);
    return 0;
}

static int open_pdf(pdfdoc *d, const unsigned char *pdf, size_t len)
{
    const char *s = (const char *)pdf, *sx = NULL;

    memset(d, 0, sizeof *d);
    d->p = s;
    d->n = len;
    if (len < 64 || memcmp(s, "%PDF-", 5) != 0)
        return -1;
    for (size_t i = len - 9; i > len - 64 && i > 0; i--)
        if (memcmp(s + i, "startxref", 9) == 0) {
            sx = s + i;
            break;
        }
    if (sx == NULL)
        return -1;
    d->xref = strtol(sx + 9, NULL, 10);
    return read_xref(d);
}

/* The dictionary of object num: [*from, *to) spans "<< … >>". */
static int object_dict(const pdfdoc *d, int num, size_t *from, size_t *to)
{
    const char *o, *e, *open, *close = NULL;

    if (num <= 0 || num >= d->size || d->off[num] <= 0 || (size_t)d->off[num] >= d->n)
        return -1;
    o = d->p + d->off[num];
    e = memmem(o, d->n - (size_t)d->off[num], "endobj", 6);
    open = e != NULL ? memmem(o, (size_t)(e - o), "<<", 2) : NULL;
    if (open == NULL)
        return -1;
    for (const char *c = open; c + 1 < e; c++)
        if (c[0] == '>' && c[1] == '>')
            close = c;
    if (close == NULL || memmem(open, (size_t)(close - open), "stream", 6) != NULL)
        return -1;
    *from = (size_t)(open - d->p);
    *to = (size_t)(close + 2 - d->p);
    return 0;
}

/* The first object number after key ("/Pages 1 0 R", "/Kids [ 3 0 R ]"). */
static int ref_after(const pdfdoc *d, size_t from, size_t to, const char *key)
{
    const char *k = memmem(d->p + from, to - from, key, strlen(key));

    if (k == NULL)
        return -1;
    k += strlen(key);
    while (*k == ' ' || *k == '[' || *k == '\n')
        k++;
    return (int)strtol(k, NULL, 10);
}

/* ---- what the update writes ---- */

/* text in WinAnsi (Latin-1 here) as a PDF literal string: ( ) \ escaped,
 * characters outside Latin-1 as '?'. */
static void put_pdf_string(dynbuf *b, const char *utf8)
{
    const unsigned char *s = (const unsigned char *)utf8;

    dynbuf_addstr(b, "(");
    while (*s != '\0') {
        unsigned cp = *s++;
        char c;
        if (cp >= 0x80) {
            int more = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : 1;
            cp &= 0x3fu >> more;
            for (; more > 0 && (*s & 0xc0) == 0x80; more--)
                cp = (cp << 6) | (*s++ & 0x3fu);
        }
        c = cp < 0x20 || cp > 0xff ? '?' : (char)cp;
        if (c == '(' || c == ')' || c == '\\')
            dynbuf_addstr(b, "\\");
        dynbuf_add(b, &c, 1);
    }
    dynbuf_addstr(b, ")");
}

#define WIDGET_X 291.0
#define WIDGET_Y 42.0
#define WIDGET_W 260.0
#define WIDGET_H 50.0

/* The widget's look: a framed box naming the signer and the time. */
static void appearance(dynbuf *b, const pdfsign_signer *s, const char *when, const char *lang)
{
    const certwords *w = certwords_for(lang);

    dynbuf_printf(b, "q 0.106 0.212 0.365 RG 0.8 w 0.4 0.4 %.1f %.1f re S Q\n", WIDGET_W - 0.8,
                  WIDGET_H - 0.8);
    dynbuf_addstr(b, "BT 0.106 0.212 0.365 rg /F1 7 Tf 6 38 Td ");
    put_pdf_string(b, w->text[I18N_CERT_SIGN_BY]);
    dynbuf_addstr(b, " Tj 0.133 g /F1 10 Tf 0 -14 Td ");
    put_pdf_string(b, s->name);
    dynbuf_addstr(b, " Tj /F1 7 Tf 0 -12 Td ");
    put_pdf_string(b, w->text[I18N_CERT_SIGN_ISSUER]);
    dynbuf_addstr(b, " Tj ");
    put_pdf_string(b, s->issuer);
    dynbuf_addstr(b, " Tj 0 -9 Td ");
    put_pdf_string(b, when);
    dynbuf_addstr(b, " Tj ET\n");
}

/* Where the update put its placeholders. */
typedef struct slots {
    size_t byte_range; /* the first of the three 10-digit numbers */
    size_t contents;   /* the '<' of /Contents */
} slots;

static void sig_dict(dynbuf *b, int num, const pdfsign_signer *s, const char *pdf_time, slots *at)
{
    dynbuf_printf(
        b, "%d 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n", num);
    dynbuf_addstr(b, "   /ByteRange [0 ");
    at->byte_range = b->len;
    dynbuf_addstr(b, "0000000000 0000000000 0000000000]\n   /Contents ");
    at->contents = b->len;
    dynbuf_addstr(b, "<");
    for (int i = 0; i < PDFSIGN_CONTENTS_BYTES; i++)
        dynbuf_addstr(b, "00");
    dynbuf_printf(b, ">\n   /M (%s) /Name ", pdf_time);
    put_pdf_string(b, s->name);
    dynbuf_addstr(b, " >>\nendobj\n");
}

/* The dictionary [from, to) with `add` written just before its closing
 * ">>", or, when key is found in it, after key's "[". */
static void patched(dynbuf *b, const pdfdoc *d, size_t from, size_t to, const char *key,
                    const char *add)
{
    const char *k = key != NULL ? memmem(d->p + from, to - from, key, strlen(key)) : NULL;
    const char *open = k != NULL ? memchr(k, '[', (size_t)(d->p + to - k)) : NULL;

    if (open != NULL && memchr(k, ']', (size_t)(d->p + to - k)) != NULL) {
        size_t cut = (size_t)(open + 1 - d->p);
        dynbuf_add(b, d->p + from, cut - from);
        dynbuf_printf(b, " %s", add);
        dynbuf_add(b, d->p + cut, to - cut);
    } else if (key != NULL) {
        dynbuf_add(b, d->p + from, to - 2 - from);
        dynbuf_printf(b, "   %s [ %s ]\n>>", key, add);
    } else {
        dynbuf_add(b, d->p + from, to - 2 - from);
        dynbuf_printf(b, "%s\n>>", add);
    }
}

/* Cross-reference subsections of the changed objects, by number. */
static void put_xref(dynbuf *b, int *nums, long *off, int n)
{
    for (int i = 0; i < n; i++) {
        int lo = i, tn;
        long to;
        for (int j = i + 1; j < n; j++)
            if (nums[j] < nums[lo])
                lo = j;
        tn = nums[i];
        to = off[i];
        nums[i] = nums[lo];
        off[i] = off[lo];
        nums[lo] = tn;
        off[lo] = to;
        dynbuf_printf(b, "%d 1\n%010ld 00000 n \n", nums[i], off[i]);
    }
}

/* The whole incremental update after the original bytes. */
static int write_update(dynbuf *b, const pdfdoc *d, const pdfsign_signer *s, time_t at,
                        const char *lang, slots *sl)
{
    int sig = d->size, widget = d->size + 1, ap = d->size + 2, font = d->size + 3, page;
    size_t rf, rt, pf, pt, xref;
    long off[6];
    int nums[6];
    char pdf_time[32], when[64], ref[64];
    dynbuf look;
    struct tm tm;

    if (object_dict(d, d->root, &rf, &rt) != 0 || (page = ref_after(d, rf, rt, "/Pages")) <= 0 ||
        object_dict(d, page, &pf, &pt) != 0 || (page = ref_after(d, pf, pt, "/Kids")) <= 0 ||
        object_dict(d, page, &pf, &pt) != 0 || memmem(d->p + rf, rt - rf, "/AcroForm", 9) != NULL)
        return -1;
    dynbuf_init(&look, SIGNED_MAX_EXTRA);
    gmtime_r(&at, &tm);
    strftime(pdf_time, sizeof pdf_time, "D:%Y%m%d%H%M%S+00'00'", &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    if (b->len > 0 && b->data[b->len - 1] != '\n')
        dynbuf_addstr(b, "\n");
    nums[0] = sig;
    off[0] = (long)b->len;
    sig_dict(b, sig, s, pdf_time, sl);
    nums[1] = widget;
    off[1] = (long)b->len;
    dynbuf_printf(b, "%d 0 obj\n<< /Type /Annot /Subtype /Widget /FT /Sig /T ", widget);
    put_pdf_string(b, certwords_for(lang)->text[I18N_CERT_SIGN_FIELD]);
    dynbuf_printf(
        b,
        " /F 132 /V %d 0 R /P %d 0 R /Rect [%.1f %.1f %.1f %.1f] /AP << /N %d 0 R >> >>\nendobj\n",
        sig, page, WIDGET_X, WIDGET_Y, WIDGET_X + WIDGET_W, WIDGET_Y + WIDGET_H, ap);
    appearance(&look, s, when, lang);
    nums[2] = ap;
    off[2] = (long)b->len;
    dynbuf_printf(b, "%d 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 %.1f %.1f]", ap,
                  WIDGET_W, WIDGET_H);
    dynbuf_printf(b, " /Resources << /Font << /F1 %d 0 R >> >> /Length %zu >>\nstream\n", font,
                  look.len);
    dynbuf_add(b, look.data, look.len);
    dynbuf_addstr(b, "\nendstream\nendobj\n");
    dynbuf_free(&look);
    nums[3] = font;
    off[3] = (long)b->len;
    dynbuf_printf(b,
                  "%d 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
                  " /Encoding /WinAnsiEncoding >>\nendobj\n",
                  font);
    nums[4] = page;
    off[4] = (long)b->len;
    dynbuf_printf(b, "%d 0 obj\n", page);
    snprintf(ref, sizeof ref, "%d 0 R", widget);
    patched(b, d, pf, pt, "/Annots", ref);
    dynbuf_addstr(b, "\nendobj\n");
    nums[5] = d->root;
    off[5] = (long)b->len;
    dynbuf_printf(b, "%d 0 obj\n", d->root);
    snprintf(ref, sizeof ref, "\n   /AcroForm << /Fields [ %d 0 R ] /SigFlags 3 >>", widget);
    patched(b, d, rf, rt, NULL, ref);
    dynbuf_addstr(b, "\nendobj\n");
    xref = b->len;
    dynbuf_addstr(b, "xref\n");
    put_xref(b, nums, off, 6);
    dynbuf_printf(b, "trailer\n<< /Size %d /Root %d 0 R", d->size + 4, d->root);
    if (d->info > 0)
        dynbuf_printf(b, " /Info %d 0 R", d->info);
    dynbuf_printf(b, " /Prev %ld >>\nstartxref\n%zu\n%%%%EOF\n", d->xref, xref);
    return 0;
}

/* ---- CMS and the timestamp ---- */

static size_t curl_collect(char *data, size_t size, size_t n, void *arg)
{
    /* over TSA_MAX_ANSWER the buffer fails and curl stops */
    return dynbuf_add(arg, data, size * n) == 0 ? size * n : 0;
}

/* POSTs the DER request to the TSA; *answer gets the body. */
static int tsa_post(const char *url, const unsigned char *req, size_t len, dynbuf *answer)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    long code = 0;
    int rc = -1;

    if (c == NULL)
        return -1;
    h = curl_slist_append(h, "Content-Type: application/timestamp-query");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)req);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TSA_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (curl_easy_perform(c) == CURLE_OK &&
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code == 200)
        rc = 0;
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

/* A DER timestamp request over SHA-256 of the signature value. */
static int ts_request(const ASN1_OCTET_STRING *sigval, unsigned char **der, int *len)
{
    unsigned char md[32];
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *imp = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_INTEGER *nonce = ASN1_INTEGER_new();
    uint64_t n = 0;
    int rc = -1;

    if (RAND_bytes((unsigned char *)&n, sizeof n) != 1)
        n = (uint64_t)time(NULL);
    SHA256(ASN1_STRING_get0_data(sigval), (size_t)ASN1_STRING_length(sigval), md);
    if (req != NULL && imp != NULL && alg != NULL && nonce != NULL &&
        X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) == 1 &&
        TS_MSG_IMPRINT_set_algo(imp, alg) == 1 && TS_MSG_IMPRINT_set_msg(imp, md, 32) == 1 &&
        TS_REQ_set_version(req, 1) == 1 && TS_REQ_set_msg_imprint(req, imp) == 1 &&
        ASN1_INTEGER_set_uint64(nonce, n >> 1) == 1 && TS_REQ_set_nonce(req, nonce) == 1 &&
        TS_REQ_set_cert_req(req, 1) == 1) {
        *der = NULL;
        *len = i2d_TS_REQ(req, der);
        rc = *len > 0 ? 0 : -1;
    }
    TS_REQ_free(req);
    TS_MSG_IMPRINT_free(imp);
    X509_ALGOR_free(alg);
    ASN1_INTEGER_free(nonce);
    return rc;
}

/* Asks the TSA for a token over the signer's signature and adds it as the
 * unsigned attribute id-aa-signatureTimeStampToken. */
static int timestamp(const char *url, CMS_SignerInfo *si)
{
    unsigned char *req = NULL, *tok = NULL;
    const unsigned char *p;
    dynbuf answer;
    TS_RESP *resp = NULL;
    int len = 0, toklen, rc = -1;

    dynbuf_init(&answer, TSA_MAX_ANSWER);

    if (ts_request(CMS_SignerInfo_get0_signature(si), &req, &len) != 0 ||
        tsa_post(url, req, (size_t)len, &answer) != 0)
        goto out;
    p = (const unsigned char *)answer.data;
    resp = d2i_TS_RESP(NULL, &p, (long)answer.len);
    if (resp == NULL ||
        ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp))) > 1 ||
        TS_RESP_get_token(resp) == NULL)
        goto out;
    toklen = i2d_PKCS7(TS_RESP_get_token(resp), &tok);
    if (toklen > 0 && CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken,
                                                    V_ASN1_SEQUENCE, tok, toklen) == 1)
        rc = 0;
out:
    OPENSSL_free(req);
    OPENSSL_free(tok);
    TS_RESP_free(resp);
    dynbuf_free(&answer);
    return rc;
}

/* The DER CMS SignedData over the two byte ranges. */
static int cms_der(pdfsign_signer *s, const unsigned char *doc, size_t n, const slots *sl,
                   unsigned char **der, int *derlen)
{
    size_t end = sl->contents + 2 + 2 * PDFSIGN_CONTENTS_BYTES;
    BIO *in = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = NULL;
    int rc = -1;

    *der = NULL;
    if (in == NULL || BIO_write(in, doc, (int)sl->contents) != (int)sl->contents ||
        BIO_write(in, doc + end, (int)(n - end)) != (int)(n - end))
        goto out;
    pthread_mutex_lock(&s->lock);
    cms = CMS_sign(s->cert, s->key, s->chain, in,
                   CMS_DETACHED | CMS_BINARY | CMS_CADES | CMS_NOSMIMECAP);
    pthread_mutex_unlock(&s->lock);
    if (cms == NULL)
        goto out;
    if (s->tsa_url != NULL &&
        timestamp(s->tsa_url, sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0)) != 0)
        goto out;
    *derlen = i2d_CMS_ContentInfo(cms, der);
    rc = *derlen > 0 && *derlen <= PDFSIGN_CONTENTS_BYTES ? 0 : -1;
out:
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    ERR_clear_error();
    return rc;
}

static void fill_ranges(unsigned char *doc, size_t n, const slots *sl)
{
    size_t end = sl->contents + 2 + 2 * PDFSIGN_CONTENTS_BYTES;
    char nums[40];

    snprintf(nums, sizeof nums, "%010zu %010zu %010zu", sl->contents, end, n - end);
    memcpy(doc + sl->byte_range, nums, 32);
}

int pdfsign_sign(pdfsign_signer *s, const unsigned char *pdf, size_t len, time_t at,
                 const char *lang, unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
    static const char hex[] = "0123456789ABCDEF";
    pdfdoc d;
    dynbuf b;
    slots sl = {0, 0};
    unsigned char *der = NULL;
    int derlen = 0, rc = -1;

    *out = NULL;
    *outlen = 0;
    dynbuf_init(&b, len + SIGNED_MAX_EXTRA);
    if (open_pdf(&d, pdf, len) != 0) {
        free(d.off);
        return refuse(err, errlen, "not a PDF of the shape the renderer makes");
    }
    if (dynbuf_add(&b, pdf, len) != 0 || write_update(&b, &d, s, at, lang, &sl) != 0 ||
        dynbuf_failed(&b)) {
        refuse(err, errlen, "the PDF's catalog or page could not be read");
        goto out;
    }
    fill_ranges((unsigned char *)b.data, b.len, &sl);
    if (cms_der(s, (const unsigned char *)b.data, b.len, &sl, &der, &derlen) != 0) {
        refuse(err, errlen,
               s->tsa_url != NULL ? "CMS signing or the timestamp authority failed"
                                  : "CMS signing failed");
        goto out;
    }
    for (int i = 0; i < derlen; i++) {
        b.data[sl.contents + 1 + 2 * (size_t)i] = hex[der[i] >> 4];
        b.data[sl.contents + 2 + 2 * (size_t)i] = hex[der[i] & 15];
    }
    *out = (unsigned char *)dynbuf_take(&b, outlen);
    rc = 0;
out:
    OPENSSL_free(der);
    dynbuf_free(&b);
    free(d.off);
    return rc;
}
