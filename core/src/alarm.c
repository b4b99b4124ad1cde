/* alarm.c - (being built: issue 5) */
#include "alarm.h"

const op_def alarm_ops[] = {
    {NULL, NULL, OP_READ},
};
