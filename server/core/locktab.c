/* locktab.c — a shared table's slots and mutex, made and unmade together
 * (locktab.h). */
#include "sinau/core/locktab.h"

#include <stdlib.h>

#include "sinau/core/alloc.h"

void *locktab_new(pthread_mutex_t *mu, size_t n, size_t size)
{
    pthread_mutex_init(mu, NULL);
    return xcalloc(n, size);
}

void locktab_free(pthread_mutex_t *mu, void *slots)
{
    pthread_mutex_destroy(mu);
    free(slots);
}
