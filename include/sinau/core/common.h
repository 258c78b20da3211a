/* core/common.h — compiler attributes and small macros shared by every module.
 * Uses nothing of ours; safe to include anywhere. */
#ifndef SINAU_CORE_COMMON_H
#define SINAU_CORE_COMMON_H

#include <stddef.h>

/* Fallible functions return int (0 success, negative failure): callers must look. */
#define SINAU_MUST_CHECK        __attribute__((warn_unused_result))
#define SINAU_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SINAU_NORETURN          __attribute__((noreturn))
#define SINAU_UNUSED            __attribute__((unused))

#define SINAU_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Intrusive lists, one home for their pointer work (as BSD's sys/queue.h).
 * A doubly-linked list: a head pointer, and nodes whose prev and next
 * members the caller names. PUSH puts node first; UNLINK takes it out. */
#define SINAU_DLIST_PUSH(head, node, prev, next)                                                   \
    do {                                                                                           \
        (node)->prev = NULL;                                                                       \
        (node)->next = (head);                                                                     \
        if ((head) != NULL)                                                                        \
            (head)->prev = (node);                                                                 \
        (head) = (node);                                                                           \
    } while (0)
#define SINAU_DLIST_UNLINK(head, node, prev, next)                                                 \
    do {                                                                                           \
        if ((node)->prev != NULL)                                                                  \
            (node)->prev->next = (node)->next;                                                     \
        else                                                                                       \
            (head) = (node)->next;                                                                 \
        if ((node)->next != NULL)                                                                  \
            (node)->next->prev = (node)->prev;                                                     \
    } while (0)

/* A singly-linked FIFO: head and tail pointers; PUSH appends node. */
#define SINAU_FIFO_PUSH(head, tail, node, next)                                                    \
    do {                                                                                           \
        (node)->next = NULL;                                                                       \
        if ((tail) != NULL)                                                                        \
            (tail)->next = (node);                                                                 \
        else                                                                                       \
            (head) = (node);                                                                       \
        (tail) = (node);                                                                           \
    } while (0)

#ifndef SINAU_VERSION
#define SINAU_VERSION "0.0.0-dev"
#endif

#endif /* SINAU_CORE_COMMON_H */
