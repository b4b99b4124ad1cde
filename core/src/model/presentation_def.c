/* presentation_def.c - presentation definitions from the config: checking,
 * reading, their JSON for presenters, and moving between steps. */
#include "presentation_def.h"

#include "preset_store.h"

#include <string.h>

/* Fails with err at "at.key" for the first key of obj (borrowed) not in
 * allowed. */
static int only_keys(const json_t *obj, const char *const *allowed, const char *at,
                     pantau_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (known)
            continue;
        char path[200];
        snprintf(path, sizeof path, "%s.%s", at, key);
        return error_set(err, ERR_BAD_REQUEST, path, "unknown key '%s'", key);
    }
    return 0;
}

static int text_string_check(const json_t *v, const char *path, pantau_error *err)
{
    if (!json_is_string(v))
        return error_set(err, ERR_BAD_REQUEST, path, "must be a string or {\"en\", \"id\"}");
    if (json_string_length(v) > PRES_TEXT_MAX)
        return error_set(err, ERR_BAD_REQUEST, path, "longer than %d bytes", PRES_TEXT_MAX);
    return 0;
}

int pres_text_check(const json_t *v, const char *path, pantau_error *err)
{
    if (!json_is_object(v))
        return text_string_check(v, path, err);
    static const char *const langs[] = {"en", "id", NULL};
    if (json_object_size(v) == 0)
        return error_set(err, ERR_BAD_REQUEST, path, "needs \"en\" or \"id\"");
    for (const char *const *lang = langs; *lang; lang++) {
        const json_t *t = json_object_get(v, *lang);
        char at[200];
        snprintf(at, sizeof at, "%s.%s", path, *lang);
        if (t && text_string_check(t, at, err))
            return -1;
    }
    return only_keys(v, langs, path, err);
}

/* Reads the optional text member key of obj into *out (new reference). */
static int read_text(const json_t *obj, const char *key, const char *at, json_t **out,
                     pantau_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char path[200];
    snprintf(path, sizeof path, "%s.%s", at, key);
    if (pres_text_check(v, path, err))
        return -1;
    *out = json_incref(v);
    return 0;
}

static int read_dwell(const json_t *step, const char *at, int *dwell_ms, pantau_error *err)
{
    const json_t *v = json_object_get(step, "dwell_s");
    if (!v)
        return 0;
    char path[200];
    snprintf(path, sizeof path, "%s.dwell_s", at);
    if (!json_is_number(v))
        return error_set(err, ERR_BAD_REQUEST, path, "must be a number of seconds");
    double s = json_number_value(v);
    if (!(s >= 0.05 && s <= PRES_DWELL_MAX_S))
        return error_set(err, ERR_BAD_REQUEST, path, "must be 0.05 to %d seconds",
                         PRES_DWELL_MAX_S);
    *dwell_ms = (int)(s * 1000 + 0.5);
    return 0;
}

static int read_layout(const json_t *lj, const char *at, GHashTable *source_ids, layout **out,
                       pantau_error *err)
{
    char path[200];
    snprintf(path, sizeof path, "%s.layout", at);
    layout *l = g_new0(layout, 1);
    if (layout_from_json(l, lj, err)) {
        error_prefix_field(err, path);
        goto fail;
    }
    for (int i = 0; source_ids && i < l->n_tiles; i++) {
        if (!l->tiles[i].source[0] || g_hash_table_contains(source_ids, l->tiles[i].source))
            continue;
        char tp[240];
        snprintf(tp, sizeof tp, "%s.tiles[%d].source", path, i);
        error_set(err, ERR_BAD_REQUEST, tp, "no source '%s' is configured", l->tiles[i].source);
        goto fail;
    }
    *out = l;
    return 0;
fail:
    g_free(l);
    return -1;
}

/* What the step shows: exactly one of "preset" and "layout". */
static int read_shows(const json_t *step, const char *at, GHashTable *source_ids, pres_step *s,
                      pantau_error *err)
{
    const json_t *name = json_object_get(step, "preset");
    const json_t *lj = json_object_get(step, "layout");
    if (name && lj)
        return error_set(err, ERR_BAD_REQUEST, at, "a step has a 'preset' or a 'layout', not both");
    if (lj)
        return read_layout(lj, at, source_ids, &s->layout, err);
    char path[200];
    snprintf(path, sizeof path, "%s.preset", at);
    if (!name)
        return error_set(err, ERR_BAD_REQUEST, at, "'preset' or 'layout' is required");
    if (!json_is_string(name) || json_string_length(name) == 0 ||
        json_string_length(name) > PRESET_NAME_MAX)
        return error_set(err, ERR_BAD_REQUEST, path, "must be a preset name or id (1-%d bytes)",
                         PRESET_NAME_MAX);
    s->preset = g_strdup(json_string_value(name));
    return 0;
}

static int read_step(const json_t *step, const char *at, GHashTable *source_ids, pres_step *s,
                     pantau_error *err)
{
    static const char *const keys[] = {"preset", "layout", "caption", "notes", "dwell_s", NULL};
    if (!json_is_object(step))
        return error_set(err, ERR_BAD_REQUEST, at, "must be an object");
    if (only_keys(step, keys, at, err))
        return -1;
    if (read_shows(step, at, source_ids, s, err) ||
        read_text(step, "caption", at, &s->caption, err) ||
        read_text(step, "notes", at, &s->notes, err))
        return -1;
    return read_dwell(step, at, &s->dwell_ms, err);
}

static int read_steps(const json_t *entry, const char *at, GHashTable *source_ids, pres_def *d,
                      pantau_error *err)
{
    const json_t *steps = json_object_get(entry, "steps");
    char path[200];
    snprintf(path, sizeof path, "%s.steps", at);
    if (!steps)
        return error_set(err, ERR_BAD_REQUEST, at, "'steps' is required");
    if (!json_is_array(steps) || json_array_size(steps) == 0 ||
        json_array_size(steps) > PRES_MAX_STEPS)
        return error_set(err, ERR_BAD_REQUEST, path, "must be an array of 1-%d steps",
                         PRES_MAX_STEPS);
    d->steps = g_new0(pres_step, json_array_size(steps));
    size_t i;
    const json_t *step;
    json_array_foreach(steps, i, step)
    {
        char sp[180];
        snprintf(sp, sizeof sp, "%.150s[%zu]", path, i);
        d->n_steps = (int)i + 1;
        if (read_step(step, sp, source_ids, &d->steps[i], err))
            return -1;
    }
    return 0;
}

static int read_id(const json_t *entry, const char *at, pres_def *d, pantau_error *err)
{
    const json_t *id = json_object_get(entry, "id");
    char path[200];
    snprintf(path, sizeof path, "%s.id", at);
    if (!id)
        return error_set(err, ERR_BAD_REQUEST, at, "'id' is required");
    if (!json_is_string(id) || !layout_id_is_valid(json_string_value(id), LAYOUT_ID_MAX))
        return error_set(err, ERR_BAD_REQUEST, path, "must be an id (1-%d of A-Z a-z 0-9 _ - . :)",
                         LAYOUT_ID_MAX);
    d->id = g_strdup(json_string_value(id));
    return 0;
}

pres_def *pres_def_parse(const json_t *entry, size_t index, GHashTable *source_ids,
                         pantau_error *err)
{
    static const char *const keys[] = {"id", "name", "steps", NULL};
    char at[64];
    snprintf(at, sizeof at, "presentations[%zu]", index);
    if (!json_is_object(entry)) {
        error_set(err, ERR_BAD_REQUEST, at, "must be an object");
        return NULL;
    }
    pres_def *d = g_new0(pres_def, 1);
    if (only_keys(entry, keys, at, err) || read_id(entry, at, d, err) ||
        read_text(entry, "name", at, &d->name, err) || read_steps(entry, at, source_ids, d, err))
        goto fail;
    return d;
fail:
    pres_def_free(d);
    return NULL;
}

void pres_def_free(pres_def *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n_steps; i++) {
        g_free(d->steps[i].preset);
        g_free(d->steps[i].layout);
        json_decref(d->steps[i].caption);
        json_decref(d->steps[i].notes);
    }
    g_free(d->steps);
    json_decref(d->name);
    g_free(d->id);
    g_free(d);
}

static json_t *step_to_json(const pres_step *s)
{
    json_t *j = json_pack("{s:O?, s:O?}", "caption", s->caption, "notes", s->notes);
    if (s->preset)
        json_object_set_new(j, "preset", json_string(s->preset));
    if (s->layout)
        json_object_set_new(j, "layout", layout_to_json(s->layout));
    json_object_set_new(j, "dwell_s", s->dwell_ms ? json_real(s->dwell_ms / 1000.0) : json_null());
    return j;
}

json_t *pres_def_to_json(const pres_def *d)
{
    json_t *steps = json_array();
    for (int i = 0; i < d->n_steps; i++)
        json_array_append_new(steps, step_to_json(&d->steps[i]));
    return json_pack("{s:s, s:O?, s:o}", "id", d->id, "name", d->name, "steps", steps);
}

int pres_step_after(int current, int n_steps, enum pres_move move)
{
    int to = current;
    switch (move) {
    case PRES_NEXT:
        to = current + 1;
        break;
    case PRES_PREV:
        to = current - 1;
        break;
    case PRES_FIRST:
        to = 0;
        break;
    case PRES_LAST:
        to = n_steps - 1;
        break;
    }
    if (to < 0)
        return 0;
    return to >= n_steps ? n_steps - 1 : to;
}

int pres_step_check(json_int_t step, int n_steps, pantau_error *err)
{
    if (step < 0 || step >= n_steps)
        return error_set(err, ERR_BAD_REQUEST, "step", "'step' must be 0 to %d", n_steps - 1);
    return 0;
}
