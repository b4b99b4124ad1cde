/* ops_sources.c - source.add, source.update and source.remove
 * (docs/protocol.md, "Sources from the console"): an admin's change of the
 * sources, checked as `pantau --check-config` checks a config's source
 * (config_check_source, then the plugin's check), then made at once by the
 * source editor (source_edit.h), which keeps it in the state directory. */
#include "op_def.h"

#include "audit.h"
#include "config.h"
#include "media.h"
#include "source.h"
#include "source_edit.h"

static void report_setting(const char *json_path, const char *message, void *user)
{
    config_fail(user, json_path, "%s", message);
}

/* Checks entry (borrowed) at "source": 0, or -1 with err naming the field
 * of the first error. reg: the sources whose ids it may not reuse (NULL:
 * any id). */
static int check_entry(const pantau_server *srv, const json_t *entry, const source_registry *reg,
                       pantau_error *err)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    config_checker c = {.errors = errors};
    config_check_source(&c, entry, "source", NULL);
    const char *id = json_string_value(json_object_get(entry, "id"));
    if (!errors->len && reg && source_registry_find(reg, id))
        config_fail(&c, "source.id", "a source '%s' already exists", id);
    if (!errors->len)
        source_check_entry(srv->sources->types, entry, "source", report_setting, &c);
    int rc = 0;
    if (errors->len)
        rc = error_set(err, ERR_BAD_REQUEST, c.first_path, "%s",
                       (const char *)g_ptr_array_index(errors, 0));
    g_free(c.first_path);
    g_ptr_array_free(errors, TRUE);
    return rc;
}

/* Whether sources can be changed here: 0, or -1 with err (a server made
 * without a source editor, as in unit tests and fuzzing). */
static int editable(const op_call *call, pantau_error *err)
{
    if (call->srv->source_editor)
        return 0;
    return error_set(err, ERR_BAD_REQUEST, "op", "sources cannot be changed on this server");
}

/* The source of an accepted change as the reply: {"source"}. New ref. */
static json_t *source_reply(const pantau_source *src)
{
    return json_pack("{s:o}", "source", source_to_json(src));
}

/* source.add {source: {id, type, name?, settings?}}. */
static int op_source_add(op_call *call, json_t **ok, pantau_error *err)
{
    const json_t *entry = json_object_get(call->req, "source");
    if (editable(call, err))
        return -1;
    if (!entry)
        return error_set(err, ERR_BAD_REQUEST, "source", "'source' is required");
    if (check_entry(call->srv, entry, call->srv->sources, err))
        return -1;
    audit_name_source(call->srv->audit, json_string_value(json_object_get(entry, "id")));
    *ok = source_reply(source_edit_put(call->srv->source_editor, entry));
    return 0;
}

/* The source's entry with the change (borrowed) over it: name and type
 * replaced, settings merged key by key (a setting left out, such as a
 * password the page never saw, keeps its value). New reference. */
static json_t *changed_entry(const pantau_source *src, const json_t *change)
{
    json_t *entry = source_entry_json(src);
    const char *keys[] = {"name", "type"};
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        json_t *v = json_object_get(change, keys[i]);
        if (v)
            json_object_set(entry, keys[i], v);
    }
    json_t *settings = json_object_get(change, "settings");
    if (json_is_object(settings))
        json_object_update(json_object_get(entry, "settings"), settings);
    else if (settings)
        json_object_set(entry, "settings", settings); /* refused by the check */
    /* Unknown keys are refused by the check as they would be in a file. */
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)change, key, v)
    {
        if (!json_object_get(entry, key))
            json_object_set(entry, key, v);
    }
    return entry;
}

/* source.update {source: {id, name?, type?, settings?}}. */
static int op_source_update(op_call *call, json_t **ok, pantau_error *err)
{
    const json_t *change = json_object_get(call->req, "source");
    if (editable(call, err))
        return -1;
    if (!json_is_object(change))
        return error_set(err, ERR_BAD_REQUEST, "source", "'source' must be an object");
    const char *id;
    if (op_get_string(change, "id", &id, err)) {
        g_strlcpy(err->field, "source.id", sizeof err->field);
        return -1;
    }
    const pantau_source *src = source_registry_find(call->srv->sources, id);
    if (!src)
        return error_set(err, ERR_NOT_FOUND, "source.id", "no source '%s'", id);
    json_t *entry = changed_entry(src, change);
    int rc = check_entry(call->srv, entry, NULL, err);
    audit_name_source(call->srv->audit, id);
    if (rc == 0)
        *ok = source_reply(source_edit_put(call->srv->source_editor, entry));
    json_decref(entry);
    return rc;
}

/* source.remove {source: id}. */
static int op_source_remove(op_call *call, json_t **ok, pantau_error *err)
{
    const char *id;
    if (editable(call, err) || op_get_string(call->req, "source", &id, err))
        return -1;
    audit_name_source(call->srv->audit, id);
    if (!source_edit_remove(call->srv->source_editor, id))
        return error_set(err, ERR_NOT_FOUND, "source", "no source '%s'", id);
    *ok = json_pack("{s:s}", "removed", id);
    return 0;
}

/* ---- discovery: the camera type's type_control (ABI 1.3) ---- */

/* A plugin's answer to camera.discover or camera.probe (result borrowed). */
static void type_answered(const json_t *result, const char *error, void *data)
{
    pantau_error err = {0};
    if (error) {
        error_set(&err, ERR_BAD_REQUEST, "", "%s", error);
        op_later_done(data, NULL, &err);
        return;
    }
    op_later_done(data, result ? json_deep_copy(result) : json_object(), NULL);
}

/* Hands the request's fields (less op and id) to the type_control of the
 * request's "type" (default rtsp) as action. */
static int type_action(op_call *call, const char *action, pantau_error *err)
{
    const char *type_id = "rtsp";
    if (json_object_get(call->req, "type") && op_get_string(call->req, "type", &type_id, err))
        return -1;
    const source_type_entry *type =
        call->srv->sources ? source_types_find(call->srv->sources->types, type_id) : NULL;
    if (!type || !type->type.type_control)
        return error_set(err, ERR_BAD_REQUEST, "type", "no loaded plugin can %s '%s' cameras",
                         action, type_id);
    json_t *args = json_deep_copy(call->req);
    json_object_del(args, "op");
    json_object_del(args, "id");
    op_later *later = op_defer(call);
    int rc = type->type.type_control(action, args, type_answered, later);
    json_decref(args);
    if (rc)
        return error_set(err, ERR_BAD_REQUEST, "op", "the '%s' type cannot %s", type_id, action);
    return 0;
}

/* camera.discover {timeout_ms?, interface?, port?, type?}: ONVIF devices. */
static int op_camera_discover(op_call *call, json_t **ok, pantau_error *err)
{
    (void)ok;
    return type_action(call, "discover", err);
}

/* camera.probe {address, username?, password?, type?}: a device's streams. */
static int op_camera_probe(op_call *call, json_t **ok, pantau_error *err)
{
    (void)ok;
    const char *address;
    if (op_get_string(call->req, "address", &address, err))
        return -1;
    return type_action(call, "probe", err);
}

/* The names of src's settings that are set but left out of
 * public_settings (borrowed): its secrets. New reference: an array of
 * strings. */
static json_t *secret_names(const pantau_source *src, const json_t *public_settings)
{
    json_t *names = json_array();
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)src->settings, key, v)
    {
        if (!json_object_get(public_settings, key))
            json_array_append_new(names, json_string(key));
    }
    return names;
}

/* source.settings {source}: what the console's form of a source shows:
 * its settings without secrets, the names of the secrets set (write-only),
 * and its type's schema (titles and types; null when the type has none). */
static int op_source_settings(op_call *call, json_t **ok, pantau_error *err)
{
    const pantau_source *src = op_get_source(call, err);
    if (!src)
        return -1;
    json_t *schema = src->type ? source_type_schema(src->type) : NULL;
    json_t *settings = settings_public(src->settings, schema);
    *ok = json_pack("{s:s, s:s, s:o, s:o, s:o}", "source", src->id, "type", src->type_id,
                    "settings", settings, "secret", secret_names(src, settings), "schema",
                    schema ? schema : json_null());
    return 0;
}

/* media.deliveries {source}: who gets what of a camera, and why. */
static int op_media_deliveries(op_call *call, json_t **ok, pantau_error *err)
{
    const pantau_source *src = op_get_source(call, err);
    if (!src)
        return -1;
    if (!source_is_camera(src) || !call->srv->media)
        return error_set(err, ERR_BAD_REQUEST, "source", "source '%s' is not a camera", src->id);
    *ok = media_deliveries_json(call->srv->media, src);
    return 0;
}

const op_def source_ops[] = {
    {"camera.discover", op_camera_discover, OP_ADMIN, OP_READS},
    {"camera.probe", op_camera_probe, OP_ADMIN, OP_READS},
    {"source.add", op_source_add, OP_ADMIN, OP_CHANGES},
    {"source.update", op_source_update, OP_ADMIN, OP_CHANGES},
    {"source.remove", op_source_remove, OP_ADMIN, OP_CHANGES},
    {"source.settings", op_source_settings, OP_ADMIN, OP_READS},
    {"media.deliveries", op_media_deliveries, OP_OPERATE, OP_READS},
    {NULL, NULL, OP_READ},
};
