/* backoff.c - the reconnect schedule of a camera: capped exponential. */
#include "backoff.h"

unsigned cctv_backoff_ms(unsigned attempt)
{
    unsigned delay = CCTV_BACKOFF_FIRST_MS;
    for (unsigned i = 0; i < attempt; i++) {
        if (delay >= CCTV_BACKOFF_CAP_MS / 2)
            return CCTV_BACKOFF_CAP_MS;
        delay *= 2;
    }
    return delay;
}
