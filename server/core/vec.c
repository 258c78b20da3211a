/* vec.c — the growth step of the typed arrays (vec.h). */
#include "sinau/core/vec.h"

#include <stdint.h>

#include "sinau/core/alloc.h"

void *vec_resize(void *items, size_t cap, size_t elem)
{
    if (elem != 0 && cap > SIZE_MAX / elem)
        xalloc_failed("vec_resize (size overflows)");
    return xrealloc(items, cap * elem);
}

void *vec_reserve(void *items, size_t *cap, size_t need, size_t elem, size_t first)
{
    size_t c = *cap != 0 ? *cap : first;

    if (need <= *cap)
        return items;
    if (c == 0)
        c = 1;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            xalloc_failed("vec_reserve (size overflows)");
        c *= 2;
    }
    items = vec_resize(items, c, elem);
    *cap = c;
    return items;
}
