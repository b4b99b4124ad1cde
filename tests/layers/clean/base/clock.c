#include "clock.h"
int clock_now(void) { return 1; }
