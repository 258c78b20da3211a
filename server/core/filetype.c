/* filetype.c — see filetype.h. */
#include "sinau/core/filetype.h"

#include <string.h>
#include <strings.h>

static const filetype PNG = {"image/png", "png"};
static const filetype JPEG = {"image/jpeg", "jpg"};
static const filetype PDF = {"application/pdf", "pdf"};
static const filetype MP4 = {"video/mp4", "mp4"};

/* Major brands of MP4 files as phones and editors write them. */
static const char *const MP4_BRANDS[] = {"isom", "iso2", "iso4", "iso5", "iso6", "mp41",
                                         "mp42", "avc1", "M4V ", "dash", "mmp4", "MSNV"};

static int starts_with(const unsigned char *d, size_t n, const void *sig, size_t k)
{
    return n >= k && memcmp(d, sig, k) == 0;
}

static int is_mp4(const unsigned char *d, size_t n)
{
    if (n < 12 || memcmp(d + 4, "ftyp", 4) != 0)
        return 0;
    for (size_t i = 0; i < sizeof MP4_BRANDS / sizeof MP4_BRANDS[0]; i++)
        if (memcmp(d + 8, MP4_BRANDS[i], 4) == 0)
            return 1;
    return 0;
}

const filetype *filetype_sniff(const unsigned char *data, size_t len)
{
    if (starts_with(data, len, "\x89PNG\r\n\x1a\n", 8))
        return &PNG;
    if (starts_with(data, len, "\xff\xd8\xff", 3))
        return &JPEG;
    if (starts_with(data, len, "%PDF-", 5))
        return &PDF;
    if (is_mp4(data, len))
        return &MP4;
    return NULL;
}

bool filetype_declared_ok(const filetype *t, const char *declared)
{
    size_t n;

    if (declared == NULL)
        return true;
    n = strcspn(declared, "; \t");
    if (n == strlen(t->mime) && strncasecmp(declared, t->mime, n) == 0)
        return true;
    if (strcmp(t->ext, "jpg") == 0 && n == 9 && strncasecmp(declared, "image/jpg", 9) == 0)
        return true;
    return n == 24 && strncasecmp(declared, "application/octet-stream", 24) == 0;
}
