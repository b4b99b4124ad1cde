#include "preset_store.h"

#include "log.h"
#include "state_store.h"

#include <errno.h>
#include <string.h>

#define PRESETS_FILE "presets.json"

static void preset_free(gpointer p)
{
    preset *pr = p;
    g_free(pr->name);
    g_free(pr);
}

static preset *preset_copy(const preset *p)
{
    preset *c = g_memdup2(p, sizeof *p);
    c->name = g_strdup(p->name);
    return c;
}

json_t *preset_to_json(const preset *p)
{
    return json_pack("{s:s, s:s, s:o}", "id", p->id, "name", p->name, "layout",
                     layout_to_json(&p->layout));
}

json_t *preset_store_to_json(const preset_store *ps)
{
    json_t *list = json_array();
    for (guint i = 0; i < ps->presets->len; i++)
        json_array_append_new(list, preset_to_json(g_ptr_array_index(ps->presets, i)));
    return list;
}

static void load_saved(preset_store *ps, const json_t *saved)
{
    const json_t *next = json_object_get(saved, "next_id");
    ps->next_id = json_is_integer(next) ? (unsigned)json_integer_value(next) : 1;
    size_t i;
    const json_t *pj;
    json_array_foreach(json_object_get(saved, "presets"), i, pj)
    {
        const char *id = json_string_value(json_object_get(pj, "id"));
        const char *name = json_string_value(json_object_get(pj, "name"));
        preset p = {0};
        pantau_error err = {0};
        if (!id || !name || strlen(id) >= sizeof p.id ||
            layout_from_json(&p.layout, json_object_get(pj, "layout"), &err)) {
            log_warn("skipping broken preset %zu in %s/%s", i, ps->state_dir, PRESETS_FILE);
            continue;
        }
        memcpy(p.id, id, strlen(id) + 1);
        p.name = (char *)name;
        /* A hand-edited file may hold ids above next_id; never reuse one. */
        unsigned n;
        if (sscanf(id, "p%u", &n) == 1 && n >= ps->next_id)
            ps->next_id = n + 1;
        g_ptr_array_add(ps->presets, preset_copy(&p));
    }
}

preset_store *preset_store_open(const char *state_dir)
{
    preset_store *ps = g_new0(preset_store, 1);
    ps->presets = g_ptr_array_new_with_free_func(preset_free);
    ps->state_dir = g_strdup(state_dir);
    ps->next_id = 1;
    json_t *saved = state_store_read(state_dir, PRESETS_FILE);
    if (saved)
        load_saved(ps, saved);
    json_decref(saved);
    return ps;
}

void preset_store_free(preset_store *ps)
{
    if (!ps)
        return;
    g_ptr_array_free(ps->presets, TRUE);
    g_free(ps->state_dir);
    g_free(ps);
}

preset *preset_store_find(const preset_store *ps, const char *id)
{
    for (guint i = 0; i < ps->presets->len; i++) {
        preset *p = g_ptr_array_index(ps->presets, i);
        if (strcmp(p->id, id) == 0)
            return p;
    }
    return NULL;
}

static preset *find_by_name(const preset_store *ps, const char *name)
{
    for (guint i = 0; i < ps->presets->len; i++) {
        preset *p = g_ptr_array_index(ps->presets, i);
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static int persist(const preset_store *ps, unsigned next_id, pantau_error *err)
{
    json_t *doc = json_pack("{s:I, s:o}", "next_id", (json_int_t)next_id, "presets",
                            preset_store_to_json(ps));
    int r = state_store_write(ps->state_dir, PRESETS_FILE, doc);
    json_decref(doc);
    if (r)
        return error_set(err, ERR_INTERNAL, "", "presets could not be saved: %s", strerror(errno));
    return 0;
}

static int check_name(const char *name, pantau_error *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > PRESET_NAME_MAX || !g_utf8_validate(name, -1, NULL))
        return error_set(err, ERR_BAD_REQUEST, "name", "'name' must be 1-%d characters",
                         PRESET_NAME_MAX);
    return 0;
}

int preset_store_save(preset_store *ps, const char *name, const layout *l, bool overwrite,
                      preset **saved, pantau_error *err)
{
    if (check_name(name, err))
        return -1;
    preset *existing = find_by_name(ps, name);
    if (existing && !overwrite)
        return error_set(err, ERR_EXISTS, "name", "a preset named '%s' exists (id %s)", name,
                         existing->id);
    if (existing) {
        layout old = existing->layout;
        existing->layout = *l;
        if (persist(ps, ps->next_id, err)) {
            existing->layout = old;
            return -1;
        }
        *saved = existing;
        return 0;
    }
    preset fresh = {0};
    snprintf(fresh.id, sizeof fresh.id, "p%u", ps->next_id);
    fresh.name = (char *)name;
    fresh.layout = *l;
    preset *p = preset_copy(&fresh);
    g_ptr_array_add(ps->presets, p);
    if (persist(ps, ps->next_id + 1, err)) {
        g_ptr_array_remove_index(ps->presets, ps->presets->len - 1);
        return -1;
    }
    ps->next_id++;
    *saved = p;
    return 0;
}

int preset_store_rename(preset_store *ps, const char *id, const char *name, preset **renamed,
                        pantau_error *err)
{
    if (check_name(name, err))
        return -1;
    preset *p = preset_store_find(ps, id);
    if (!p)
        return error_set(err, ERR_NOT_FOUND, "preset", "no preset '%s'", id);
    preset *other = find_by_name(ps, name);
    if (other && other != p)
        return error_set(err, ERR_EXISTS, "name", "a preset named '%s' exists (id %s)", name,
                         other->id);
    char *old = p->name;
    p->name = g_strdup(name);
    if (persist(ps, ps->next_id, err)) {
        g_free(p->name);
        p->name = old;
        return -1;
    }
    g_free(old);
    *renamed = p;
    return 0;
}

int preset_store_delete(preset_store *ps, const char *id, pantau_error *err)
{
    for (guint i = 0; i < ps->presets->len; i++) {
        preset *p = g_ptr_array_index(ps->presets, i);
        if (strcmp(p->id, id) != 0)
            continue;
        g_ptr_array_steal_index(ps->presets, i);
        if (persist(ps, ps->next_id, err)) {
            g_ptr_array_insert(ps->presets, (gint)i, p);
            return -1;
        }
        preset_free(p);
        return 0;
    }
    return error_set(err, ERR_NOT_FOUND, "preset", "no preset '%s'", id);
}
