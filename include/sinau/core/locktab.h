/* core/locktab.h — a fixed table shared by threads behind one mutex, made
 * and unmade whole: the shape of the process's small shared tables (the
 * session cache, the verdict cache, the per-client connection counts).
 * Each is a struct whose first member is its pthread_mutex_t and whose
 * last is a flexible array of its typed slots; this is where that one
 * block is allocated with its mutex initialised, and where the mutex is
 * destroyed and the block freed. */
#ifndef SINAU_CORE_LOCKTAB_H
#define SINAU_CORE_LOCKTAB_H

#include <pthread.h>
#include <stddef.h>

/* Returns a zeroed block of owner_size bytes (sizeof the owner struct, up
 * to its flexible array of slots) followed by n zeroed slots of slot_size
 * bytes each, with the pthread_mutex_t the owner begins with initialised
 * (owned: locktab_free; aborts on out of memory or a size that overflows,
 * as xcalloc). Any thread, before the table is shared. */
void *locktab_new(size_t owner_size, size_t n, size_t slot_size);

/* Destroys the mutex the owner (from locktab_new) begins with and frees
 * the block, once no thread uses it. NULL is a no-op. */
void locktab_free(void *owner);

#endif /* SINAU_CORE_LOCKTAB_H */
