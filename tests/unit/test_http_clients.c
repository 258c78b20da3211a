/* test_http_clients.c — unit tests for clients.c: client addresses (IPv4,
 * IPv4-mapped, IPv6 and its /64) and the connection caps, including a
 * table that sees many clients come and go (its deletions keep every
 * remaining count findable). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sinau/http/clients.h"

static http_addr addr(const char *text)
{
    http_addr a;

    assert_int_equal(http_addr_parse(text, &a), 0);
    return a;
}

static void ipv4_mapped_is_ipv4(void **state)
{
    char text[HTTP_ADDR_TEXT], key[HTTP_ADDR_TEXT];
    http_addr a = addr("::ffff:192.0.2.7"), b = addr("192.0.2.7");
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    http_addr c;

    (void)state;
    assert_true(a.v4);
    assert_memory_equal(&a, &b, sizeof a);
    http_addr_text(&a, text);
    assert_string_equal(text, "192.0.2.7");
    http_addr_key_text(&a, key);
    assert_string_equal(key, "192.0.2.7");
    /* what a dual-stack listener's accept gives for an IPv4 client */
    assert_int_equal(inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr), 1);
    assert_int_equal(http_addr_from_sockaddr((struct sockaddr *)&in6, &c), 0);
    assert_true(c.v4);
    http_addr_text(&c, text);
    assert_string_equal(text, "10.1.2.3");
}

static void ipv6_counts_by_its_64(void **state)
{
    char text[HTTP_ADDR_TEXT], key[HTTP_ADDR_TEXT];
    http_addr a = addr("2001:db8:1:2:aaaa::1");

    (void)state;
    assert_false(a.v4);
    http_addr_text(&a, text);
    assert_string_equal(text, "2001:db8:1:2:aaaa::1");
    http_addr_key_text(&a, key);
    assert_string_equal(key, "2001:db8:1:2::/64");
    assert_int_equal(http_addr_parse("not an address", &a), -1);
    assert_int_equal(http_addr_parse("1.2.3.4:80", &a), -1);
}

static void loopback(void **state)
{
    (void)state;
    http_addr a = addr("127.0.0.9"), b = addr("::1"), c = addr("::ffff:127.0.0.1"),
              d = addr("10.0.0.1"), e = addr("::2");
    assert_true(http_addr_loopback(&a));
    assert_true(http_addr_loopback(&b));
    assert_true(http_addr_loopback(&c));
    assert_false(http_addr_loopback(&d));
    assert_false(http_addr_loopback(&e));
}

static void share_and_cap(void **state)
{
    http_clients *t = http_clients_new(5, 2);
    http_addr a = addr("192.0.2.1"), a6 = addr("::ffff:192.0.2.1"), b = addr("192.0.2.2"),
              c1 = addr("2001:db8::1"), c2 = addr("2001:db8::2"), d = addr("2001:db8:0:1::1");

    (void)state;
    assert_int_equal(http_clients_admit(t, &a), HTTP_ADMIT_OK);
    assert_int_equal(http_clients_admit(t, &a6), HTTP_ADMIT_OK); /* the same client */
    assert_int_equal(http_clients_admit(t, &a), HTTP_ADMIT_SHARE);
    assert_int_equal(http_clients_admit(t, &c1), HTTP_ADMIT_OK);
    assert_int_equal(http_clients_admit(t, &c2), HTTP_ADMIT_OK); /* the same /64 */
    assert_int_equal(http_clients_admit(t, &c1), HTTP_ADMIT_SHARE);
    assert_int_equal(http_clients_admit(t, &b), HTTP_ADMIT_OK);
    assert_int_equal(http_clients_open(t), 5);
    assert_int_equal(http_clients_admit(t, &d), HTTP_ADMIT_FULL);
    http_clients_release(t, &a);
    assert_int_equal(http_clients_admit(t, &d), HTTP_ADMIT_OK);
    assert_int_equal(http_clients_admit(t, &a), HTTP_ADMIT_FULL);
    http_clients_release(t, &b);
    assert_int_equal(http_clients_admit(t, &a), HTTP_ADMIT_OK);
    http_clients_free(t);
}

static void no_share(void **state)
{
    http_clients *t = http_clients_new(100, 0);
    http_addr a = addr("192.0.2.1");

    (void)state;
    for (int i = 0; i < 100; i++)
        assert_int_equal(http_clients_admit(t, &a), HTTP_ADMIT_OK);
    assert_int_equal(http_clients_admit(t, &a), HTTP_ADMIT_FULL);
    http_clients_free(t);
}

/* Many clients with many connections each, released in a scrambled order:
 * every count must stay exact (a lost or merged entry shows as a wrong
 * verdict). */
static void many_clients_come_and_go(void **state)
{
    enum { CLIENTS = 500, EACH = 3 };
    http_clients *t = http_clients_new(2 * CLIENTS * EACH, EACH);
    http_addr a[CLIENTS];
    bool gone[CLIENTS] = {false};
    char text[32];

    (void)state;
    for (int i = 0; i < CLIENTS; i++) {
        snprintf(text, sizeof text, "10.%d.%d.1", i / 256, i % 256);
        a[i] = addr(text);
        for (int k = 0; k < EACH; k++)
            assert_int_equal(http_clients_admit(t, &a[i]), HTTP_ADMIT_OK);
        assert_int_equal(http_clients_admit(t, &a[i]), HTTP_ADMIT_SHARE);
    }
    for (int step = 0; step < CLIENTS; step++) {
        int i = (step * 7919) % CLIENTS; /* every client once, scrambled */
        for (int k = 0; k < EACH; k++)
            http_clients_release(t, &a[i]);
        gone[i] = true;
        for (int j = 0; j < CLIENTS; j += 37) /* the others still hold full shares */
            if (!gone[j])
                assert_int_equal(http_clients_admit(t, &a[j]), HTTP_ADMIT_SHARE);
    }
    assert_int_equal(http_clients_open(t), 0);
    for (int i = 0; i < CLIENTS; i++) {
        for (int k = 0; k < EACH; k++)
            assert_int_equal(http_clients_admit(t, &a[i]), HTTP_ADMIT_OK);
        assert_int_equal(http_clients_admit(t, &a[i]), HTTP_ADMIT_SHARE);
    }
    /* half go away, in another order; the other half still hold full shares */
    for (int i = 0; i < CLIENTS; i += 2)
        for (int k = 0; k < EACH; k++)
            http_clients_release(t, &a[i]);
    for (int i = 1; i < CLIENTS; i += 2)
        assert_int_equal(http_clients_admit(t, &a[i]), HTTP_ADMIT_SHARE);
    assert_int_equal(http_clients_open(t), (CLIENTS / 2) * EACH);
    http_clients_free(t);
}

/* A table at half its capacity (64 clients in 128 slots): long probe runs,
 * which deletions must keep intact, wrapping around the end too. */
static void a_full_table_keeps_its_entries(void **state)
{
    enum { N = 64 };
    http_clients *t = http_clients_new(N, 1);
    http_addr a[N];
    bool gone[N] = {false};
    char text[32];

    (void)state;
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < N; i++) {
            snprintf(text, sizeof text, "172.16.%d.%d", round, i);
            a[i] = addr(text);
            gone[i] = false;
            assert_int_equal(http_clients_admit(t, &a[i]), HTTP_ADMIT_OK);
        }
        for (int step = 0; step < N; step++) {
            int i = (step * 37 + round) % N;
            http_clients_release(t, &a[i]);
            gone[i] = true;
            for (int j = 0; j < N; j++)
                if (!gone[j])
                    assert_int_equal(http_clients_admit(t, &a[j]), HTTP_ADMIT_SHARE);
        }
        assert_int_equal(http_clients_open(t), 0);
    }
    http_clients_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipv4_mapped_is_ipv4),
        cmocka_unit_test(ipv6_counts_by_its_64),
        cmocka_unit_test(loopback),
        cmocka_unit_test(share_and_cap),
        cmocka_unit_test(no_share),
        cmocka_unit_test(many_clients_come_and_go),
        cmocka_unit_test(a_full_table_keeps_its_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
