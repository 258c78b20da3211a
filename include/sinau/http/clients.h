/* http/clients.h — who a client is, by address, and how many connections
 * each may hold.
 *
 * One rule for every place a client address is used (throttles, audit, the
 * certificate-lookup budget, connection shares): an IPv4 address is itself
 * (a /32), also when a dual-stack listener sees it IPv4-mapped
 * (::ffff:a.b.c.d), and an IPv6 address counts by its /64, which one
 * subscriber usually holds whole.
 *
 * The connection table counts open connections in all (the cap) and per
 * client (the share): a connection over either is refused at accept, while
 * those already open are served as before. Thread-safe (one mutex; taken
 * once at accept and once at close). */
#ifndef SINAU_HTTP_CLIENTS_H
#define SINAU_HTTP_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sinau/core/common.h"

struct sockaddr;

/* A client address: IPv4 in its IPv4-mapped IPv6 form, with v4 set. */
typedef struct http_addr {
    uint8_t b[16];
    bool v4;
} http_addr;

/* Longest text of an address or a key ("ffff:…:ffff", "…::/64"), with NUL. */
#define HTTP_ADDR_TEXT 48

/* Reads a socket address (AF_INET or AF_INET6; an IPv4-mapped IPv6 one
 * becomes IPv4). Returns 0, or -1 for another family. */
SINAU_MUST_CHECK int http_addr_from_sockaddr(const struct sockaddr *sa, http_addr *out);

/* Reads an address written as text ("192.0.2.1", "2001:db8::1",
 * "::ffff:192.0.2.1" which is IPv4). Returns 0 or -1. */
SINAU_MUST_CHECK int http_addr_parse(const char *text, http_addr *out);

/* The address as text: dotted IPv4, or IPv6 as inet_ntop writes it. */
void http_addr_text(const http_addr *a, char out[HTTP_ADDR_TEXT]);

/* Whom the address counts as: the IPv4 address itself, or an IPv6 /64
 * ("2001:db8:1:2::/64"). */
void http_addr_key_text(const http_addr *a, char out[HTTP_ADDR_TEXT]);

/* True for 127.0.0.0/8 and ::1. */
bool http_addr_loopback(const http_addr *a);

/* ---- connection counts ---- */

typedef struct http_clients http_clients;

/* Why http_clients_admit refused. */
enum http_admit { HTTP_ADMIT_OK = 0, HTTP_ADMIT_FULL, HTTP_ADMIT_SHARE };

/* A table for at most max_total connections, each client at most
 * max_per_client of them (0: no share). Returns an owned table. */
http_clients *http_clients_new(int max_total, int max_per_client);

/* Frees it. NULL-safe. */
void http_clients_free(http_clients *t);

/* Counts a new connection from a, or refuses it (nothing counted). */
enum http_admit http_clients_admit(http_clients *t, const http_addr *a);

/* Forgets a connection that http_clients_admit counted. */
void http_clients_release(http_clients *t, const http_addr *a);

/* Connections counted now (all clients). */
int http_clients_open(http_clients *t);

#endif /* SINAU_HTTP_CLIENTS_H */
