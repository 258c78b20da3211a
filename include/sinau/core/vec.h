/* core/vec.h — the one growth step of the server's typed arrays (h2o's
 * h2o_vector_reserve is the model): an array is a typed pointer, a count
 * and a capacity its owner keeps; before adding, the owner asks for room
 * for the new count, and the capacity starts at a first size and doubles.
 * Sizes are overflow-checked and memory follows the policy of alloc.h (out
 * of memory, or a size that cannot be, aborts). Pure code on caller
 * memory; one array is used by one thread at a time. */
#ifndef SINAU_CORE_VEC_H
#define SINAU_CORE_VEC_H

#include <stddef.h>

/* Room for need elements of elem bytes in items, whose capacity is *cap:
 * when need > *cap, *cap becomes first (or *cap when not 0), doubled until
 * it holds need, and the array is reallocated (it may move; its elements
 * are kept, the new ones are not initialised). Returns the array (owned by
 * the caller: free()). */
void *vec_reserve(void *items, size_t *cap, size_t need, size_t elem, size_t first);

/* The array reallocated to cap elements of elem bytes (overflow-checked):
 * a second array kept parallel to one vec_reserve grew. Returns it. */
void *vec_resize(void *items, size_t cap, size_t elem);

#endif /* SINAU_CORE_VEC_H */
