/* test_lists.c — the intrusive list macros of core/common.h: a doubly
 * linked list keeps its links whichever node leaves (first, middle, last,
 * only), and a FIFO hands nodes back in the order they came. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sinau/core/common.h"

typedef struct node {
    int v;
    struct node *up, *down; /* the list's own names for prev and next */
} node;

/* The values from head down, as digits, for comparing whole lists. */
static void values(const node *head, char *out)
{
    for (const node *n = head; n != NULL; n = n->down) {
        if (n->down != NULL)
            assert_ptr_equal(n->down->up, n);
        *out++ = (char)('0' + n->v);
    }
    *out = '\0';
}

static void dlist_push_and_unlink_keep_the_links(void **state)
{
    node n[4] = {{.v = 0}, {.v = 1}, {.v = 2}, {.v = 3}};
    node *head = NULL;
    char got[8];

    (void)state;
    for (int i = 0; i < 4; i++)
        SINAU_DLIST_PUSH(head, &n[i], up, down);
    values(head, got);
    assert_string_equal(got, "3210");
    assert_null(head->up);
    SINAU_DLIST_UNLINK(head, &n[2], up, down); /* middle */
    values(head, got);
    assert_string_equal(got, "310");
    SINAU_DLIST_UNLINK(head, &n[3], up, down); /* first */
    values(head, got);
    assert_string_equal(got, "10");
    assert_null(head->up);
    SINAU_DLIST_UNLINK(head, &n[0], up, down); /* last */
    values(head, got);
    assert_string_equal(got, "1");
    SINAU_DLIST_UNLINK(head, &n[1], up, down); /* only */
    assert_null(head);
}

static void fifo_keeps_arrival_order(void **state)
{
    node n[3] = {{.v = 7}, {.v = 8}, {.v = 9}};
    node *head = NULL, *tail = NULL;
    char got[8];

    (void)state;
    for (int i = 0; i < 3; i++) {
        n[i].down = &n[0]; /* stale link: PUSH must clear it */
        SINAU_FIFO_PUSH(head, tail, &n[i], down);
    }
    for (int i = 0; i < 3; i++)
        n[i].up = i > 0 ? &n[i - 1] : NULL;
    values(head, got);
    assert_string_equal(got, "789");
    assert_ptr_equal(tail, &n[2]);
    assert_null(tail->down);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dlist_push_and_unlink_keep_the_links),
        cmocka_unit_test(fifo_keeps_arrival_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
