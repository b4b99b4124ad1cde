#include "wall.h"

#include "log.h"
#include "state_store.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static int int_at(const json_t *obj, const char *key, int fallback)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : fallback;
}

static double number_at(const json_t *obj, const char *key, double fallback)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : fallback;
}

bool wall_parse_display(const char *text, int *column, int *row)
{
    int c, r, end = 0;
    if (!text || sscanf(text, " %d , %d %n", &c, &r, &end) != 2 || text[end] || c < 0 || r < 0)
        return false;
    *column = c;
    *row = r;
    return true;
}

/* The display of the alarm list: the config's "alarms.display", else the
 * top-right display. */
static void alarm_display_from_config(wall *w, const json_t *entry)
{
    w->alarm_column = w->display_columns - 1;
    w->alarm_row = 0;
    const json_t *display = json_object_get(json_object_get(entry, "alarms"), "display");
    wall_parse_display(json_string_value(display), &w->alarm_column, &w->alarm_row);
}

wall *wall_from_config(const json_t *entry)
{
    wall *w = g_new0(wall, 1);
    const char *id = json_string_value(json_object_get(entry, "id"));
    const char *name = json_string_value(json_object_get(entry, "name"));
    w->id = g_strdup(id);
    w->name = g_strdup(name ? name : id);
    const json_t *d = json_object_get(entry, "displays");
    w->display_columns = int_at(d, "columns", 1);
    w->display_rows = int_at(d, "rows", 1);
    w->display_width = int_at(d, "width", 1920);
    w->display_height = int_at(d, "height", 1080);
    const json_t *bezel = json_object_get(d, "bezel");
    w->bezel_x = int_at(bezel, "x", 0);
    w->bezel_y = int_at(bezel, "y", 0);
    w->viewing_distance_m = number_at(entry, "viewing_distance_m", WALL_VIEWING_DISTANCE_DEFAULT_M);
    alarm_display_from_config(w, entry);
    /* Already validated by config_load, so this cannot fail. */
    layout_from_json(&w->layout, json_object_get(entry, "layout"), NULL);
    w->version = 1;
    w->saved_layout = g_memdup2(&w->layout, sizeof w->layout);
    return w;
}

static char *wall_state_name(const wall *w)
{
    return g_strdup_printf("walls/%s.json", w->id);
}

void wall_restore(wall *w, const char *state_dir)
{
    char *name = wall_state_name(w);
    json_t *saved = state_store_read(state_dir, name);
    if (!saved)
        goto out;
    pantau_error err = {0};
    layout restored;
    const json_t *version = json_object_get(saved, "version");
    if (!json_is_integer(version) ||
        layout_from_json(&restored, json_object_get(saved, "layout"), &err)) {
        char *why = g_strdup_printf("not a valid wall state (%s)",
                                    err.message[0] ? err.message : "no version");
        state_store_set_aside(state_dir, name, why);
        g_free(why);
        goto out;
    }
    w->layout = restored;
    if (w->saved_layout)
        *w->saved_layout = restored;
    w->version = json_integer_value(version);
out:
    json_decref(saved);
    g_free(name);
}

state_batch *wall_state_files(const wall *w, const char *state_dir)
{
    char *name = wall_state_name(w);
    json_t *state = json_pack("{s:I, s:o}", "version", (json_int_t)w->version, "layout",
                              layout_to_json(&w->layout));
    state_batch *b = state_batch_new(state_dir);
    state_batch_write(b, name, state);
    json_decref(state);
    g_free(name);
    return b;
}

wall *wall_list_find(const GPtrArray *walls, const char *id)
{
    for (guint i = 0; walls && id && i < walls->len; i++) {
        wall *w = g_ptr_array_index(walls, i);
        if (strcmp(w->id, id) == 0)
            return w;
    }
    return NULL;
}

tile_replay *wall_replay_find(const wall *w, const char *tile_id)
{
    for (guint i = 0; w->replays && tile_id && i < w->replays->len; i++) {
        tile_replay *r = g_ptr_array_index(w->replays, i);
        if (strcmp(r->tile, tile_id) == 0)
            return r;
    }
    return NULL;
}

void wall_replay_set(wall *w, const tile_replay *r)
{
    tile_replay *now = wall_replay_find(w, r->tile);
    if (now) {
        *now = *r;
        return;
    }
    if (!w->replays)
        w->replays = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(w->replays, g_memdup2(r, sizeof *r));
}

bool wall_replay_remove(wall *w, const char *tile_id)
{
    tile_replay *r = wall_replay_find(w, tile_id);
    return r && g_ptr_array_remove(w->replays, r);
}

int wall_replays_prune(wall *w, bool all)
{
    int ended = 0;
    for (guint i = w->replays ? w->replays->len : 0; i-- > 0;) {
        const tile_replay *r = g_ptr_array_index(w->replays, i);
        int t = layout_find_tile(&w->layout, r->tile);
        if (!all && t >= 0 && strcmp(w->layout.tiles[t].source, r->source) == 0)
            continue;
        g_ptr_array_remove_index(w->replays, i);
        ended++;
    }
    return ended;
}

json_t *tile_replay_to_json(const tile_replay *r)
{
    return json_pack("{s:s, s:I, s:I, s:i, s:b, s:s}", "id", r->id, "at_ms", (json_int_t)r->at_ms,
                     "set_ms", (json_int_t)r->set_ms, "rate", r->rate, "paused", r->paused, "by",
                     r->by);
}

/* Puts each replay into its tile of lj (the layout's JSON, borrowed). */
static void add_replays(const wall *w, json_t *lj)
{
    size_t i;
    json_t *tile;
    json_array_foreach(json_object_get(lj, "tiles"), i, tile)
    {
        const tile_replay *r = wall_replay_find(w, json_string_value(json_object_get(tile, "id")));
        if (r)
            json_object_set_new(tile, "replay", tile_replay_to_json(r));
    }
}

json_t *wall_to_json(const wall *w)
{
    json_t *lj = layout_to_json(&w->layout);
    add_replays(w, lj);
    return json_pack("{s:s, s:s, s:I, s:{s:i, s:i, s:i, s:i, s:{s:i, s:i}}, s:f, "
                     "s:{s:{s:i, s:i}}, s:o}",
                     "id", w->id, "name", w->name, "version", (json_int_t)w->version, "displays",
                     "columns", w->display_columns, "rows", w->display_rows, "width",
                     w->display_width, "height", w->display_height, "bezel", "x", w->bezel_x, "y",
                     w->bezel_y, "viewing_distance_m", w->viewing_distance_m, "alarms", "display",
                     "column", w->alarm_column, "row", w->alarm_row, "layout", lj);
}

void wall_free(wall *w)
{
    if (!w)
        return;
    g_free(w->id);
    g_free(w->name);
    g_free(w->saved_layout);
    if (w->replays)
        g_ptr_array_free(w->replays, TRUE);
    g_free(w);
}
