/* media_gate.c - per-client video frame admission. */
#include "media_gate.h"

void media_gate_init(media_gate *g)
{
    g->waiting = g_hash_table_new(g_direct_hash, g_direct_equal);
    g->dropped = 0;
}

void media_gate_clear(media_gate *g)
{
    if (g->waiting)
        g_hash_table_destroy(g->waiting);
    g->waiting = NULL;
}

bool media_gate_skips(const media_gate *g, uint32_t stream, bool keyframe)
{
    /* A delta frame after a gap would decode to garbage. */
    return !keyframe && g_hash_table_contains(g->waiting, GUINT_TO_POINTER(stream));
}

bool media_gate_admit(media_gate *g, uint32_t stream, bool keyframe, size_t frame_len,
                      size_t queued_bytes, size_t max_bytes)
{
    gpointer key = GUINT_TO_POINTER(stream);
    bool waiting = g_hash_table_contains(g->waiting, key);
    if (media_gate_skips(g, stream, keyframe))
        goto drop;
    if (queued_bytes + frame_len > max_bytes) {
        g_hash_table_add(g->waiting, key);
        goto drop;
    }
    if (waiting)
        g_hash_table_remove(g->waiting, key);
    return true;
drop:
    g->dropped++;
    return false;
}

void media_gate_forget(media_gate *g, uint32_t stream)
{
    g_hash_table_remove(g->waiting, GUINT_TO_POINTER(stream));
}

void media_gate_wait_for_keyframe(media_gate *g, uint32_t stream)
{
    g_hash_table_add(g->waiting, GUINT_TO_POINTER(stream));
}
