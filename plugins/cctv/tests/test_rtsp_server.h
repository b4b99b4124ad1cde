/* test_rtsp_server.h - start and stop pantau-test-rtsp (tests/tools) for the
 * cctv probes: a real RTSP server on a loopback port. */
#ifndef CCTV_TEST_RTSP_SERVER_H
#define CCTV_TEST_RTSP_SERVER_H
#include <gio/gio.h>

/* Starts bin with args (NULL-terminated, after bin itself) and waits for its
 * "ready" line; exits the test program with a message when it does not
 * come. The server's leaks at exit are not reported (sanitizer builds). */
GSubprocess *test_rtsp_server_start(const char *bin, const char *const *args);

/* Stops p with SIGTERM, waits for it and frees it. */
void test_rtsp_server_stop(GSubprocess *p);
#endif
