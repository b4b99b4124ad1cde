/* audit.c - (being built: issue 5) */
#include "audit.h"

int audit_record(pantau_server *srv, const session *s, const char *action, const char *wall_id,
                 gint64 version_before, gint64 version_after, pantau_error *err)
{
    (void)srv, (void)s, (void)action, (void)wall_id, (void)version_before, (void)version_after,
        (void)err;
    return 0;
}
