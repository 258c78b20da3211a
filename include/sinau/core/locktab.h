/* core/locktab.h — the slots of a fixed table shared by threads behind one
 * mutex, made and unmade together: the shape of the process's small shared
 * tables (the session cache, the verdict cache, the per-client connection
 * counts). Each keeps its own typed slot pointer and its own mutex; this
 * is where both are allocated and initialised, and destroyed and freed. */
#ifndef SINAU_CORE_LOCKTAB_H
#define SINAU_CORE_LOCKTAB_H

#include <pthread.h>
#include <stddef.h>

/* Initialises *mu and returns n zeroed slots of size bytes each (owned:
 * locktab_free; aborts on out of memory as xcalloc). Any thread, before
 * the table is shared. */
void *locktab_new(pthread_mutex_t *mu, size_t n, size_t size);

/* Destroys *mu and frees slots (from locktab_new), once no thread uses
 * them. */
void locktab_free(pthread_mutex_t *mu, void *slots);

#endif /* SINAU_CORE_LOCKTAB_H */
