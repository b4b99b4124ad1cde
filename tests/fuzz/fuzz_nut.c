/* fuzz_nut.c - the NUT reply parser of the dchealth plugin
 * (plugins/dchealth/dch_nut.c) on what a UPS server answers, fed as it
 * arrives: every prefix that ends a line, then the whole reply. */
#include "dch_nut.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses the first len bytes. Returns the result. */
static enum dch_nut_result parse(const char *buf, size_t len)
{
    /* Exact size, not NUL-terminated: the socket's bytes are neither. */
    char *copy = g_memdup2(buf, len);
    dch_ups_state st;
    memset(&st, 0, sizeof st);
    char *error = NULL;
    enum dch_nut_result r = dch_nut_parse(copy, len, "ups1", &st, &error);
    if (r == DCH_NUT_ERROR && !error)
        abort();
    if (r == DCH_NUT_DONE && memchr(st.status, '\0', sizeof st.status) == NULL)
        abort();
    g_free(error);
    g_free(copy);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A reply is parsed again as each read adds to it: at most a few times
     * here, so that long inputs stay fast. */
    const char *buf = (const char *)data;
    int prefixes = 0;
    for (size_t i = 0; i < size && prefixes < 8; i++) {
        if (buf[i] != '\n')
            continue;
        prefixes++;
        if (parse(buf, i + 1) != DCH_NUT_INCOMPLETE)
            return 0;
    }
    parse(buf, size);
    return 0;
}
