/* presentation.h - (being built: issue 5) */
#ifndef PANTAU_PRESENTATION_H
#define PANTAU_PRESENTATION_H

#include "ops.h"

/* The presentation operations (ops.h), ending with {NULL}. */
extern const op_def presentation_ops[];

#endif
