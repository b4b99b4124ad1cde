/* presentation.c - (being built: issue 5) */
#include "presentation.h"

const op_def presentation_ops[] = {
    {NULL, NULL, OP_READ},
};
