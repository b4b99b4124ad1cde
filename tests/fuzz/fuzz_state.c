/* fuzz_state.c - the files the server reads from its state directory at
 * start: the input is written as a wall's state (walls/main.json), as the
 * presets (presets.json) and as an alarm's takeover of that wall
 * (alarms/takeover-main.json), then read back the way main.c does: the wall
 * restored, the preset store opened, the alarm center recovering takeovers.
 * Most inputs mean something to one reader only; each must cope with all. */
#include "alarm.h"
#include "fuzz_util.h"
#include "log.h"
#include "persist.h"
#include "preset_store.h"
#include "wall.h"
#include "walls.h"

#include <glib.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const wall_text =
    "{\"id\": \"main\", \"displays\": {\"columns\": 1, \"rows\": 1, \"width\": 1920,"
    " \"height\": 1080}, \"layout\": {\"columns\": 2, \"rows\": 1, \"tiles\": ["
    "  {\"id\": \"t1\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1, \"source\": \"cam1\"},"
    "  {\"id\": \"t2\", \"x\": 1, \"y\": 0, \"w\": 1, \"h\": 1}]}}";

static json_t *wall_config; /* parsed once; owned for the whole run */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(PANTAU_LOG_ERROR);
    wall_config = json_loads(wall_text, 0, NULL);
    if (!wall_config)
        abort();
    fuzz_scratch_dir();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_scratch_dir();
    const char *names[] = {"walls/main.json", "presets.json", "alarms/takeover-main.json"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        g_free(fuzz_write_file(dir, names[i], data, size));
    GPtrArray *walls = g_ptr_array_new_with_free_func((GDestroyNotify)wall_free);
    wall *w = wall_from_config(wall_config);
    wall_restore(w, dir);
    g_ptr_array_add(walls, w);
    preset_store *presets = preset_store_open(dir);
    persister *persist = persister_new(NULL);
    wall_service *ws = wall_service_new(walls, presets, NULL, persist, NULL, dir, LAYOUT_MAX_TILES);
    /* Without rules: only the takeover file is read (and written back). */
    alarm_center_free(alarm_center_new(&(alarm_deps){.walls = ws, .state_dir = dir}));
    json_decref(preset_store_to_json(presets));
    json_decref(wall_to_json(w));
    wall_service_free(ws);
    persister_free(persist);
    preset_store_free(presets);
    g_ptr_array_free(walls, TRUE);
    fuzz_empty_dir(dir);
    return 0;
}
