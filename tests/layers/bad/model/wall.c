#include "wall.h"
int wall_age(void) { return clock_now(); }
