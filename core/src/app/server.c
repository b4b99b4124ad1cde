#include "server.h"

#include "alarm.h"
#include "cluster_nodes.h"
#include "presentation.h"
#include "ptz.h"
#include "source.h"

json_t *server_snapshot(const pantau_server *srv)
{
    json_t *sources = json_array(), *walls = json_array(), *data = json_object();
    if (srv->sources) {
        for (guint i = 0; i < srv->sources->list->len; i++) {
            const pantau_source *src = g_ptr_array_index(srv->sources->list, i);
            json_array_append_new(sources, source_to_json(src));
            if (src->last_data)
                json_object_set_new(data, src->id,
                                    json_pack("{s:O, s:I}", "data", src->last_data, "time",
                                              (json_int_t)src->last_data_ms));
        }
    }
    for (guint i = 0; i < srv->walls->len; i++)
        json_array_append_new(walls, wall_to_json(g_ptr_array_index(srv->walls, i)));
    json_t *snapshot = json_pack("{s:{s:s, s:s}, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "server",
                                 "name", "pantau", "version", PANTAU_VERSION, "sources", sources,
                                 "walls", walls, "presets", preset_store_to_json(srv->presets),
                                 "data", data, "alarms", alarm_snapshot(srv->alarms),
                                 "presentations", presentation_snapshot(srv->presentations),
                                 "ptz_held", ptz_holders_json(srv->ptz));
    /* A cluster's nodes, for the pages' failover (docs/cluster.md). */
    if (srv->nodes)
        json_object_set_new(snapshot, "cluster", cluster_nodes_json(srv->nodes));
    return snapshot;
}
