/* presentation.c - (being built: issue 5) */
#include "presentation.h"

const op_def presentation_ops[] = {
    {NULL, NULL, OP_READ},
};

void presentation_config_check(config_checker *c, const json_t *section, const config_sections *ids)
{
    (void)c, (void)section, (void)ids;
}

presentation_center *presentation_center_new(pantau_server *srv)
{
    (void)srv;
    return NULL;
}

void presentation_center_free(presentation_center *p)
{
    (void)p;
}

json_t *presentation_snapshot(const pantau_server *srv)
{
    (void)srv;
    return json_object();
}
