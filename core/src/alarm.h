/* alarm.h - (being built: issue 5) */
#ifndef PANTAU_ALARM_H
#define PANTAU_ALARM_H

#include "ops.h"

/* The alarm operations (ops.h), ending with {NULL}. */
extern const op_def alarm_ops[];

#endif
