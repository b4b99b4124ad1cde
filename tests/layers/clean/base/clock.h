/* clock.h - a base module. */
int clock_now(void);
