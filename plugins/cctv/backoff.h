/* backoff.h - the reconnect schedule of a camera: capped exponential. */
#ifndef CCTV_BACKOFF_H
#define CCTV_BACKOFF_H

/* First delay and cap of the schedule, in milliseconds. */
#define CCTV_BACKOFF_FIRST_MS 1000u
#define CCTV_BACKOFF_CAP_MS 30000u

/* Delay before retry number `attempt` (0 = the first retry after a failure):
 * 1 s, 2 s, 4 s, 8 s, 16 s, then 30 s for every further attempt. Pure. */
unsigned cctv_backoff_ms(unsigned attempt);

#endif
