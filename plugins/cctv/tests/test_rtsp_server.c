/* test_rtsp_server.c - see test_rtsp_server.h. */
#include "test_rtsp_server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

GSubprocess *test_rtsp_server_start(const char *bin, const char *const *args)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer)bin);
    for (const char *const *a = args; *a; a++)
        g_ptr_array_add(argv, (gpointer)*a);
    g_ptr_array_add(argv, NULL);
    GError *err = NULL;
    GSubprocessLauncher *launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    g_subprocess_launcher_setenv(launcher, "ASAN_OPTIONS", "detect_leaks=0", TRUE);
    GSubprocess *p = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &err);
    g_object_unref(launcher);
    g_ptr_array_free(argv, TRUE);
    if (!p) {
        fprintf(stderr, "cannot start %s: %s\n", bin, err->message);
        exit(1);
    }
    GDataInputStream *in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(p));
    char *line = g_data_input_stream_read_line(in, NULL, NULL, NULL);
    if (!line || !strstr(line, "ready")) {
        fprintf(stderr, "RTSP server did not start: %s\n", line ? line : "(eof)");
        exit(1);
    }
    g_free(line);
    g_object_unref(in);
    return p;
}

void test_rtsp_server_stop(GSubprocess *p)
{
    g_subprocess_send_signal(p, SIGTERM);
    g_subprocess_wait(p, NULL, NULL);
    g_object_unref(p);
}
