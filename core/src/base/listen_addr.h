/* listen_addr.h - the address the server listens on, as configured
 * (server.listen): an IPv4 or IPv6 literal, or a host name. */
#ifndef PANTAU_LISTEN_ADDR_H
#define PANTAU_LISTEN_ADDR_H

#include <stdbool.h>

typedef struct listen_addr {
    char numeric[64]; /* the address to bind, as a literal */
    bool ipv6;
    bool loopback; /* only this machine can connect */
    bool any;      /* 0.0.0.0 or ::, every interface */
} listen_addr;

/* Resolves text: a literal is taken as it is, a host name becomes its first
 * address (IPv4 before IPv6). Blocks on name resolution: call it at start or
 * in the config checker, never on a running loop. Returns 0, or -1 with
 * *why set to a message (g_free it). */
int listen_addr_resolve(const char *text, listen_addr *out, char **why);

#endif
