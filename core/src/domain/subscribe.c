/* subscribe.c - per-client subscriptions to sources. */
#include "subscribe.h"

#include <string.h>

/* Reads a {"replay": id} entry (field names it) into wanted. An id that is
 * no replay (any more) is kept and brings nothing. Returns 0, or -1 with
 * err. */
static int read_replay(const json_t *entry, const char *field, GHashTable *wanted,
                       pantau_error *err)
{
    char *key = replay_subscription_key(json_string_value(json_object_get(entry, "replay")));
    if (!key)
        return error_set(err, ERR_BAD_REQUEST, field, "%s.replay must be a replay id", field);
    g_hash_table_insert(wanted, key, GINT_TO_POINTER(SESSION_STREAM_MAIN + 1));
    return 0;
}

/* Reads one entry of "sources" into wanted. Returns 0, or -1 with err. */
static int read_entry(const source_registry *sources, const json_t *entry, size_t i,
                      GHashTable *wanted, pantau_error *err)
{
    char field[48];
    snprintf(field, sizeof field, "sources[%zu]", i);
    const char *id = json_string_value(entry);
    enum session_stream stream = SESSION_STREAM_MAIN;
    if (json_is_object(entry) && json_object_get(entry, "replay"))
        return read_replay(entry, field, wanted, err);
    if (json_is_object(entry)) {
        id = json_string_value(json_object_get(entry, "id"));
        const json_t *kind = json_object_get(entry, "stream");
        if (kind && !json_is_string(kind))
            return error_set(err, ERR_BAD_REQUEST, field, "%s.stream must be \"main\" or \"sub\"",
                             field);
        if (kind && strcmp(json_string_value(kind), "sub") == 0)
            stream = SESSION_STREAM_SUB;
        else if (kind && strcmp(json_string_value(kind), "main") != 0)
            return error_set(err, ERR_BAD_REQUEST, field, "%s.stream must be \"main\" or \"sub\"",
                             field);
    }
    if (!id)
        return error_set(err, ERR_BAD_REQUEST, field,
                         "%s must be a source id or an object with \"id\"", field);
    if (!source_registry_find(sources, id))
        return error_set(err, ERR_NOT_FOUND, field, "no source '%.64s'", id);
    g_hash_table_insert(wanted, g_strdup(id), GINT_TO_POINTER(stream + 1));
    return 0;
}

static json_t *history_of_new(const source_registry *sources, GHashTable *old, GHashTable *wanted)
{
    json_t *history = json_object();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, wanted);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        pantau_source *src = source_registry_find(sources, key);
        if (!src || g_hash_table_contains(old, key) || !src->history.length)
            continue;
        json_object_set_new(history, key, source_history_json(src));
    }
    return history;
}

/* Reads the optional "codecs" of req: the codec families the client's
 * decoder takes ("avc1", "hvc1", "hev1"). Sets *h265 (untouched when req
 * has none). Returns 0, or -1 with err. req is borrowed. */
static int read_codecs(const json_t *req, bool *h265, pantau_error *err)
{
    const json_t *list = json_object_get(req, "codecs");
    if (!list)
        return 0;
    if (!json_is_array(list) || json_array_size(list) > 8)
        return error_set(err, ERR_BAD_REQUEST, "codecs",
                         "'codecs' must be an array of at most 8 of \"avc1\", \"hvc1\", \"hev1\"");
    bool found = false;
    size_t i;
    const json_t *entry;
    json_array_foreach(list, i, entry)
    {
        const char *name = json_string_value(entry);
        char field[32];
        snprintf(field, sizeof field, "codecs[%zu]", i);
        if (!name || (strcmp(name, "avc1") && strcmp(name, "hvc1") && strcmp(name, "hev1")))
            return error_set(err, ERR_BAD_REQUEST, field,
                             "%s must be \"avc1\", \"hvc1\" or \"hev1\"", field);
        found |= strcmp(name, "avc1") != 0;
    }
    *h265 = found;
    return 0;
}

int subscribe_apply(const source_registry *sources, media_engine *media, replay_center *replays,
                    session *s, const json_t *req, json_t **ok, pantau_error *err)
{
    const json_t *list = json_object_get(req, "sources");
    if (!json_is_array(list))
        return error_set(err, ERR_BAD_REQUEST, "sources", "'sources' must be an array");
    if (json_array_size(list) > SESSION_MAX_SUBSCRIPTIONS)
        return error_set(err, ERR_BAD_REQUEST, "sources", "at most %d sources per client",
                         SESSION_MAX_SUBSCRIPTIONS);
    bool h265 = s->decodes_h265;
    if (read_codecs(req, &h265, err))
        return -1;
    GHashTable *wanted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    size_t i;
    const json_t *entry;
    json_array_foreach(list, i, entry)
    {
        if (read_entry(sources, entry, i, wanted, err))
            goto fail;
    }
    *ok = json_pack("{s:o}", "history", history_of_new(sources, s->subscriptions, wanted));
    if (h265 != s->decodes_h265) {
        /* Every camera is attached again, to the stream that suits now. */
        subscribe_release(media, s);
        s->decodes_h265 = h265;
    }
    GHashTable *old = s->subscriptions;
    s->subscriptions = wanted;
    media_session_changed(media, s, old);
    replay_session_changed(replays, s, old);
    g_hash_table_destroy(old);
    return 0;
fail:
    g_hash_table_destroy(wanted);
    return -1;
}

void subscribe_release(media_engine *media, session *s)
{
    GHashTable *old = s->subscriptions;
    s->subscriptions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    media_session_changed(media, s, old);
    g_hash_table_destroy(old);
}

session *subscribe_viewer_new(media_engine *media, const session_sink *sink, void *peer,
                              const char *user, const char *source_id, enum session_stream kind,
                              bool h265)
{
    session *s = session_new(peer);
    g_free(s->user);
    s->user = g_strdup(user);
    s->decodes_h265 = h265;
    session_set_sink(s, sink, peer);
    GHashTable *old = s->subscriptions;
    s->subscriptions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert(s->subscriptions, g_strdup(source_id), GINT_TO_POINTER(kind + 1));
    media_session_changed(media, s, old);
    g_hash_table_destroy(old);
    return s;
}
