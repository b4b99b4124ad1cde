/* alarm.c - (being built: issue 5) */
#include "alarm.h"

const op_def alarm_ops[] = {
    {NULL, NULL, OP_READ},
};

void alarm_config_check(config_checker *c, const json_t *section, const config_sections *ids)
{
    (void)c, (void)section, (void)ids;
}

alarm_center *alarm_center_new(pantau_server *srv)
{
    (void)srv;
    return NULL;
}

void alarm_center_free(alarm_center *a)
{
    (void)a;
}

void alarm_source_event(pantau_server *srv, pantau_source *src, enum pantau_severity severity,
                        const char *message, const json_t *details)
{
    (void)srv, (void)src, (void)severity, (void)message, (void)details;
}

void alarm_source_status(pantau_server *srv, pantau_source *src, enum pantau_source_status old)
{
    (void)srv, (void)src, (void)old;
}

json_t *alarm_snapshot(const pantau_server *srv)
{
    (void)srv;
    return json_array();
}
