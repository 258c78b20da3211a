/* locktab.c — a shared table's mutex and slots, one block made and unmade
 * whole (locktab.h). */
#include "sinau/core/locktab.h"

#include <stdint.h>
#include <stdlib.h>

#include "sinau/core/alloc.h"

void *locktab_new(size_t owner_size, size_t n, size_t slot_size)
{
    void *owner;

    if (slot_size != 0 && n > (SIZE_MAX - owner_size) / slot_size)
        xalloc_failed("locktab_new (size overflows)");
    owner = xcalloc(1, owner_size + n * slot_size);
    pthread_mutex_init((pthread_mutex_t *)owner, NULL);
    return owner;
}

void locktab_free(void *owner)
{
    if (owner == NULL)
        return;
    pthread_mutex_destroy((pthread_mutex_t *)owner);
    free(owner);
}
