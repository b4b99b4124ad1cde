#include "clock.h"
#include "wall.h"
int clock_now(void) { return wall_age(); }
