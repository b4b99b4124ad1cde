#include "wall.h"
#include "clock.h"
#include <stdio.h>
int wall_age(void) { return clock_now(); }
