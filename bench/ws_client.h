/* ws_client.h - the client side of WebSocket shared by the C load generators
 * (loadgen.c, media-loadgen.c): connecting with the handshake, and masked
 * frames out. Header-only, because each tool is one file built with plain cc
 * (bench/run.sh, bench/media-run.sh). */
#ifndef BENCH_WS_CLIENT_H
#define BENCH_WS_CLIENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* How the tool names itself in errors: "PROG[LABEL]: ...". Set both in main. */
static const char *wsc_prog = "ws-client";
static const char *wsc_label = "";

/* Prints what failed with errno's text and exits 2. */
static void wsc_die(const char *what)
{
    fprintf(stderr, "%s[%s]: %s: %s\n", wsc_prog, wsc_label, what, strerror(errno));
    exit(2);
}

/* Sends one masked frame (mask 0: the server unmasks it all the same), all
 * of it, retrying while the socket is full. */
static void wsc_send_frame(int fd, int opcode, const char *data, size_t len)
{
    unsigned char hdr[14];
    size_t h = 0;
    hdr[h++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        hdr[h++] = (unsigned char)(0x80 | len);
    } else if (len < 65536) {
        hdr[h++] = 0x80 | 126;
        hdr[h++] = (unsigned char)(len >> 8);
        hdr[h++] = (unsigned char)len;
    } else {
        hdr[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            hdr[h++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    memset(hdr + h, 0, 4);
    h += 4;
    struct iovec iov[2] = {{hdr, h}, {(void *)data, len}};
    size_t want = h + len, done = 0;
    while (done < want) {
        struct msghdr msg = {0};
        struct iovec v[2];
        int n = 0;
        size_t skip = done;
        for (int i = 0; i < 2; i++) {
            if (skip >= iov[i].iov_len) {
                skip -= iov[i].iov_len;
                continue;
            }
            v[n].iov_base = (char *)iov[i].iov_base + skip;
            v[n].iov_len = iov[i].iov_len - skip;
            skip = 0;
            n++;
        }
        msg.msg_iov = v;
        msg.msg_iovlen = (size_t)n;
        ssize_t w = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (w < 0)
            wsc_die("send");
        done += (size_t)w;
    }
}

/* Bytes that may follow the handshake response in its last read. */
#define WSC_REST_MAX 4096

/* Connects to host:port (IPv4, TCP_NODELAY, blocking) and upgrades to a
 * WebSocket on path. Exits on any failure or refusal. Returns the socket;
 * what the server sent after its response (the first frames) is copied to
 * rest (WSC_REST_MAX bytes) and counted in *rest_len. */
static int wsc_connect(const char *host, int port, const char *path, unsigned char *rest,
                       size_t *rest_len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        wsc_die("socket");
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa))
        wsc_die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     path, host, port);
    if (write(fd, req, (size_t)n) != n)
        wsc_die("handshake write");
    char resp[WSC_REST_MAX];
    size_t got = 0;
    char *end = NULL;
    while (!end) {
        ssize_t r = read(fd, resp + got, sizeof resp - 1 - got);
        if (r <= 0)
            wsc_die("handshake read");
        got += (size_t)r;
        resp[got] = 0;
        end = strstr(resp, "\r\n\r\n");
        if (!end && got >= sizeof resp - 1) {
            fprintf(stderr, "%s[%s]: handshake response too long\n", wsc_prog, wsc_label);
            exit(2);
        }
    }
    if (strncmp(resp, "HTTP/1.1 101", 12) != 0) {
        fprintf(stderr, "%s[%s]: handshake refused: %.*s\n", wsc_prog, wsc_label, (int)(end - resp),
                resp);
        exit(2);
    }
    size_t hl = (size_t)(end + 4 - resp);
    *rest_len = got - hl;
    memcpy(rest, resp + hl, *rest_len);
    return fd;
}

#endif
