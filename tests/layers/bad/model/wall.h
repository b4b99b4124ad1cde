/* wall.h - a model module on base. */
#include "clock.h"
int wall_age(void);
