#include "preset_store.h"

#include "log.h"
#include "state_store.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#define PRESETS_DIR "presets"
/* The file of older versions: every preset and next_id in one document. */
#define OLD_PRESETS_FILE "presets.json"
/* next_id, kept when a preset is deleted, so that no id is ever reused. */
#define PRESET_IDS_FILE "preset_ids.json"

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

/* ---- reading ---- */

static char *preset_file_name(const char *id)
{
    return g_strdup_printf(PRESETS_DIR "/%s.json", id);
}

/* The N of an id "pN", or 0 for any other id. */
static unsigned id_number(const char *id)
{
    char *end;
    if (id[0] != 'p' || !g_ascii_isdigit(id[1]))
        return 0;
    unsigned long n = strtoul(id + 1, &end, 10);
    return *end || n > G_MAXUINT - 1 ? 0 : (unsigned)n;
}

/* Ids make file names: only plain ones are kept. */
static bool id_is_valid(const char *id)
{
    return id && strlen(id) < sizeof((preset *)0)->id && layout_id_is_valid(id, 15) &&
           strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
}

/* Fills p (its name borrowed from pj) from one preset's JSON (borrowed).
 * Returns 0, or -1 with why set. */
static int preset_from_json(preset *p, const json_t *pj, pantau_error *why)
{
    const char *id = json_string_value(json_object_get(pj, "id"));
    const char *name = json_string_value(json_object_get(pj, "name"));
    memset(p, 0, sizeof *p);
    if (!id_is_valid(id))
        return error_set(why, ERR_BAD_REQUEST, "id", "no valid id");
    if (!name)
        return error_set(why, ERR_BAD_REQUEST, "name", "no name");
    if (layout_from_json(&p->layout, json_object_get(pj, "layout"), why))
        return -1;
    memcpy(p->id, id, strlen(id) + 1);
    p->name = (char *)name;
    return 0;
}

/* A hand-edited file may hold ids above next_id; never reuse one. */
static void note_id(preset_store *ps, const char *id)
{
    unsigned n = id_number(id);
    if (n >= ps->next_id)
        ps->next_id = n + 1;
}

/* Loads state_dir/presets/<name> into the store, or keeps it aside. */
static void load_preset_file(preset_store *ps, const char *file)
{
    char *name = g_strdup_printf(PRESETS_DIR "/%s", file);
    json_t *pj = state_store_read(ps->state_dir, name);
    preset p;
    pantau_error why = {0};
    if (!pj)
        goto out;
    char *id = g_strndup(file, strlen(file) - strlen(".json"));
    bool valid = preset_from_json(&p, pj, &why) == 0;
    if (valid && strcmp(p.id, id) != 0) {
        error_set(&why, ERR_BAD_REQUEST, "id", "its id '%s' is not its file's", p.id);
        valid = false;
    }
    g_free(id);
    if (!valid) {
        char *reason = g_strdup_printf("not a valid preset (%s: %s)", why.field, why.message);
        state_store_set_aside(ps->state_dir, name, reason);
        g_free(reason);
        goto out;
    }
    note_id(ps, p.id);
    g_ptr_array_add(ps->presets, preset_copy(&p));
out:
    json_decref(pj);
    g_free(name);
}

/* Creation order: "pN" ids by N, then any others by id. */
static gint by_creation(gconstpointer a, gconstpointer b)
{
    const preset *p = *(preset *const *)a, *q = *(preset *const *)b;
    unsigned m = id_number(p->id), n = id_number(q->id);
    if (m && n)
        return m < n ? -1 : m > n;
    if (m || n)
        return m ? -1 : 1;
    return strcmp(p->id, q->id);
}

static void load_presets(preset_store *ps)
{
    json_t *ids = state_store_read(ps->state_dir, PRESET_IDS_FILE);
    const json_t *next = json_object_get(ids, "next_id");
    if (json_is_integer(next) && json_integer_value(next) > 0 &&
        json_integer_value(next) < G_MAXUINT)
        ps->next_id = (unsigned)json_integer_value(next);
    json_decref(ids);
    char *dir = g_build_filename(ps->state_dir, PRESETS_DIR, NULL);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *file;
    while (d && (file = g_dir_read_name(d)))
        if (g_str_has_suffix(file, ".json") && strlen(file) > strlen(".json"))
            load_preset_file(ps, file);
    if (d)
        g_dir_close(d);
    g_free(dir);
    g_ptr_array_sort(ps->presets, by_creation);
}

/* ---- moving presets.json of older versions to presets/ ---- */

static int write_next_id(const preset_store *ps, unsigned next_id)
{
    json_t *doc = json_pack("{s:I}", "next_id", (json_int_t)next_id);
    int rc = state_store_write(ps->state_dir, PRESET_IDS_FILE, doc);
    json_decref(doc);
    return rc;
}

/* Writes every valid preset of the old document (borrowed) to presets/,
 * and its next_id. Returns how many were written, or -1 (logged). */
static int move_old_presets(preset_store *ps, const json_t *old)
{
    const json_t *next = json_object_get(old, "next_id");
    if (json_is_integer(next) && json_integer_value(next) > 0 &&
        json_integer_value(next) < G_MAXUINT)
        ps->next_id = (unsigned)json_integer_value(next);
    int moved = 0;
    size_t i;
    const json_t *pj;
    json_array_foreach(json_object_get(old, "presets"), i, pj)
    {
        preset p;
        pantau_error why = {0};
        if (preset_from_json(&p, pj, &why)) {
            log_warn("skipping broken preset %zu in %s/%s (%s: %s)", i, ps->state_dir,
                     OLD_PRESETS_FILE, why.field, why.message);
            continue;
        }
        note_id(ps, p.id);
        json_t *doc = preset_to_json(&p);
        char *name = preset_file_name(p.id);
        int rc = state_store_write(ps->state_dir, name, doc);
        g_free(name);
        json_decref(doc);
        if (rc)
            return -1;
        moved++;
    }
    return write_next_id(ps, ps->next_id) ? -1 : moved;
}

/* Moves an old presets.json to presets/, then renames it, so it is moved
 * once. A crash in between moves it again at the next start, which writes
 * the same files. When it cannot be moved, the store refuses changes (they
 * would be undone by the next start's move). */
static void move_old_file(preset_store *ps)
{
    char *path = g_build_filename(ps->state_dir, OLD_PRESETS_FILE, NULL);
    json_t *old = g_file_test(path, G_FILE_TEST_EXISTS)
                      ? state_store_read(ps->state_dir, OLD_PRESETS_FILE)
                      : NULL;
    if (!old)
        goto out;
    int moved = move_old_presets(ps, old);
    GDateTime *now = g_date_time_new_now_utc();
    char *time = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
    char *kept = g_strdup_printf("%s.moved-%s", path, time);
    if (moved < 0 || rename(path, kept)) {
        log_error("cannot move the presets of %s to %s/%s/ (%s); presets cannot be changed until "
                  "this is fixed and the server restarted",
                  path, ps->state_dir, PRESETS_DIR, moved < 0 ? "see above" : strerror(errno));
        ps->read_only = true;
    } else {
        log_info("moved %d presets from %s to %s/%s/ (one file each); the old file is kept as %s",
                 moved, path, ps->state_dir, PRESETS_DIR, kept);
    }
    g_free(kept);
    g_free(time);
    g_date_time_unref(now);
out:
    json_decref(old);
    g_free(path);
}

preset_store *preset_store_open(const char *state_dir)
{
    preset_store *ps = g_new0(preset_store, 1);
    ps->presets = g_ptr_array_new_with_free_func(preset_free);
    ps->state_dir = g_strdup(state_dir);
    ps->next_id = 1;
    ps->max_presets = PRESET_DEFAULT_MAX;
    ps->max_tiles = LAYOUT_MAX_TILES;
    move_old_file(ps);
    load_presets(ps);
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

void preset_store_set_limits(preset_store *ps, unsigned max_presets, int max_tiles)
{
    ps->max_presets = max_presets;
    ps->max_tiles = max_tiles;
}

void preset_store_set_hook(preset_store *ps, const preset_write_hook *hook)
{
    ps->hook = *hook;
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

/* ---- writing: one file per change ---- */

static guint index_of(const preset_store *ps, const char *id)
{
    for (guint i = 0; i < ps->presets->len; i++)
        if (strcmp(((preset *)g_ptr_array_index(ps->presets, i))->id, id) == 0)
            return i;
    return ps->presets->len;
}

/* The files of a change: p's file (p NULL: the removal of id's, after
 * keeping next_id). */
static state_batch *change_files(const preset_store *ps, const preset *p, const char *id)
{
    state_batch *b = state_batch_new(ps->state_dir);
    char *name = preset_file_name(p ? p->id : id);
    if (p) {
        json_t *doc = preset_to_json(p);
        state_batch_write(b, name, doc);
        json_decref(doc);
    } else {
        json_t *ids = json_pack("{s:I}", "next_id", (json_int_t)ps->next_id);
        state_batch_write(b, PRESET_IDS_FILE, ids);
        json_decref(ids);
        state_batch_remove(b, name);
    }
    g_free(name);
    return b;
}

static preset_undo *change_undo(const preset_store *ps, const preset *p, const char *id)
{
    preset_undo *u = g_new0(preset_undo, 1);
    g_strlcpy(u->id, p ? p->id : id, sizeof u->id);
    u->index = index_of(ps, u->id);
    if (u->index < ps->presets->len)
        u->before = preset_copy(g_ptr_array_index(ps->presets, u->index));
    u->after = p ? preset_copy(p) : NULL;
    return u;
}

/* Writes p's file (p NULL: removes the file of id, after keeping next_id),
 * or hands it to the hook. Returns 0, or -1 with err set. */
static int write_change(preset_store *ps, const preset *p, const char *id, pantau_error *err)
{
    if (ps->read_only)
        return error_set(err, ERR_INTERNAL, "",
                         "presets cannot be changed: the old presets.json could not be moved "
                         "(see the server log)");
    state_batch *files = change_files(ps, p, id);
    if (ps->hook.submit)
        return ps->hook.submit(ps->hook.data, files, change_undo(ps, p, id), err);
    int rc = state_batch_run(files);
    state_batch_free(files);
    if (rc == 0)
        return 0;
    return error_set(err, ERR_INTERNAL, "", "presets could not be saved: %s", strerror(rc));
}

static bool same_preset(const preset *a, const preset *b)
{
    json_t *x = preset_to_json(a), *y = preset_to_json(b);
    bool same = json_equal(x, y);
    json_decref(x);
    json_decref(y);
    return same;
}

bool preset_store_undo(preset_store *ps, const preset_undo *undo, const preset **now)
{
    guint i = index_of(ps, undo->id);
    preset *current = i < ps->presets->len ? g_ptr_array_index(ps->presets, i) : NULL;
    bool unchanged = undo->after ? current && same_preset(current, undo->after) : !current;
    if (!unchanged)
        return false;
    if (!undo->before) {
        g_ptr_array_remove_index(ps->presets, i);
        *now = NULL;
    } else if (current) {
        g_free(current->name);
        current->name = g_strdup(undo->before->name);
        current->layout = undo->before->layout;
        *now = current;
    } else {
        preset *back = preset_copy(undo->before);
        g_ptr_array_insert(ps->presets, (gint)MIN(undo->index, ps->presets->len), back);
        *now = back;
    }
    return true;
}

void preset_undo_free(preset_undo *u)
{
    if (!u)
        return;
    if (u->before)
        preset_free(u->before);
    if (u->after)
        preset_free(u->after);
    g_free(u);
}

static int check_name(const char *name, pantau_error *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > PRESET_NAME_MAX || !g_utf8_validate(name, -1, NULL))
        return error_set(err, ERR_BAD_REQUEST, "name", "'name' must be 1-%d characters",
                         PRESET_NAME_MAX);
    return 0;
}

static int check_tiles(const preset_store *ps, const layout *l, pantau_error *err)
{
    if (l->n_tiles > ps->max_tiles)
        return error_set(err, ERR_LIMIT, "layout",
                         "a preset may have at most %d tiles (server.max_layout_tiles); this "
                         "layout has %d",
                         ps->max_tiles, l->n_tiles);
    return 0;
}

static int overwrite(preset_store *ps, preset *existing, const layout *l, pantau_error *err)
{
    preset *next = g_new(preset, 1);
    *next = *existing;
    next->layout = *l;
    int rc = write_change(ps, next, NULL, err);
    if (rc == 0)
        existing->layout = *l;
    g_free(next);
    return rc;
}

int preset_store_save(preset_store *ps, const char *name, const layout *l, bool overwrite_it,
                      preset **saved, pantau_error *err)
{
    if (check_name(name, err) || check_tiles(ps, l, err))
        return -1;
    preset *existing = find_by_name(ps, name);
    if (existing && !overwrite_it)
        return error_set(err, ERR_EXISTS, "name", "a preset named '%s' exists (id %s)", name,
                         existing->id);
    if (existing) {
        if (overwrite(ps, existing, l, err))
            return -1;
        *saved = existing;
        return 0;
    }
    if (ps->presets->len >= ps->max_presets)
        return error_set(err, ERR_LIMIT, "",
                         "at most %u presets can be saved (server.max_presets); delete one or "
                         "overwrite one",
                         ps->max_presets);
    preset fresh = {0};
    snprintf(fresh.id, sizeof fresh.id, "p%u", ps->next_id);
    fresh.name = (char *)name;
    fresh.layout = *l;
    if (write_change(ps, &fresh, NULL, err))
        return -1;
    preset *p = preset_copy(&fresh);
    g_ptr_array_add(ps->presets, p);
    ps->next_id++;
    *saved = p;
    return 0;
}

int preset_store_seed(preset_store *ps, const json_t *presets)
{
    if (ps->presets->len > 0 || !json_is_array(presets))
        return 0;
    layout *l = g_new0(layout, 1);
    int saved = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(presets, i, item)
    {
        const char *name = json_string_value(json_object_get(item, "name"));
        pantau_error err = {0};
        preset *p;
        if (!name || layout_from_json(l, json_object_get(item, "layout"), &err) ||
            preset_store_save(ps, name, l, false, &p, &err)) {
            log_warn("cannot seed preset %zu from the configuration: %s", i,
                     err.message[0] ? err.message : "no name");
            continue;
        }
        saved++;
    }
    g_free(l);
    if (saved)
        log_info("seeded %d presets from the configuration into %s", saved, ps->state_dir);
    return saved;
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
    preset *next = preset_copy(p);
    g_free(next->name);
    next->name = g_strdup(name);
    int rc = write_change(ps, next, NULL, err);
    preset_free(next);
    if (rc)
        return -1;
    g_free(p->name);
    p->name = g_strdup(name);
    *renamed = p;
    return 0;
}

int preset_store_delete(preset_store *ps, const char *id, pantau_error *err)
{
    for (guint i = 0; i < ps->presets->len; i++) {
        preset *p = g_ptr_array_index(ps->presets, i);
        if (strcmp(p->id, id) != 0)
            continue;
        if (write_change(ps, NULL, p->id, err))
            return -1;
        g_ptr_array_remove_index(ps->presets, i);
        return 0;
    }
    return error_set(err, ERR_NOT_FOUND, "preset", "no preset '%s'", id);
}

/* ---- presets another node changed (a cluster's shared store) ---- */

int preset_store_take(preset_store *ps, const json_t *pj, preset **taken, bool *changed,
                      pantau_error *err)
{
    preset p;
    if (preset_from_json(&p, pj, err))
        return -1;
    note_id(ps, p.id);
    preset *now = preset_store_find(ps, p.id);
    *changed = !now || !same_preset(now, &p);
    if (!now) {
        now = preset_copy(&p);
        g_ptr_array_add(ps->presets, now);
        g_ptr_array_sort(ps->presets, by_creation);
    } else if (*changed) {
        g_free(now->name);
        now->name = g_strdup(p.name);
        now->layout = p.layout;
    }
    *taken = now;
    return 0;
}

bool preset_store_forget(preset_store *ps, const char *id)
{
    note_id(ps, id);
    guint i = index_of(ps, id);
    if (i >= ps->presets->len)
        return false;
    g_ptr_array_remove_index(ps->presets, i);
    return true;
}
