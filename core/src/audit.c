/* audit.c - (being built: issue 5) */
#include "audit.h"

int audit_record(pantau_server *srv, const session *s, const char *action, const char *wall_id,
                 gint64 version_before, gint64 version_after, pantau_error *err)
{
    (void)srv, (void)s, (void)action, (void)wall_id, (void)version_before, (void)version_after,
        (void)err;
    return 0;
}

void audit_config_check(config_checker *c, const json_t *section, const config_sections *ids)
{
    (void)c, (void)section, (void)ids;
}

audit_log *audit_log_open(pantau_server *srv)
{
    (void)srv;
    return NULL;
}

void audit_log_close(audit_log *log)
{
    (void)log;
}
