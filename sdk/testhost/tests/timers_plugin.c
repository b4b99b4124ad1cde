/* timers_plugin.c - a test plugin for the test host's virtual clock: its
 * source "t" starts three timers and publishes, at each firing, the log
 * of firings so far as ["name@ms", ...]:
 *   a: every 200 ms, stops itself (returns 0) at its second firing;
 *   b: every 300 ms; at its first firing it adds c;
 *   c: every 50 ms from then on, removed by b's second firing.
 * Its control actions answer at once ("echo": the args; "fail": an
 * error; "twice": two answers) or 100 ms later ("later"); its type
 * control answers "ping". */
#include <pantau/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const pantau_host *host;

typedef struct timers {
    pantau_source *source;
    json_t *fired;
    unsigned ms; /* virtual time, advanced by each timer's own interval */
    unsigned a_runs, b_runs, c_timer, c_ms;
} timers;

static void fired(timers *t, const char *name, unsigned at)
{
    char entry[32];
    snprintf(entry, sizeof entry, "%s@%u", name, at);
    json_array_append_new(t->fired, json_string(entry));
    host->publish(t->source, t->fired);
}

static int tick_c(void *user)
{
    timers *t = user;
    t->c_ms += 50;
    fired(t, "c", t->c_ms);
    return 1;
}

static int tick_a(void *user)
{
    timers *t = user;
    fired(t, "a", ++t->a_runs * 200);
    return t->a_runs < 2;
}

static int tick_b(void *user)
{
    timers *t = user;
    t->b_runs++;
    fired(t, "b", t->b_runs * 300);
    if (t->b_runs == 1) {
        t->c_ms = 300;
        t->c_timer = host->timer_add(50, tick_c, t);
    } else if (t->b_runs == 2) {
        host->timer_remove(t->c_timer);
    }
    return 1;
}

typedef struct later {
    pantau_reply_fn done;
    void *data;
} later;

static int answer_later(void *user)
{
    later *l = user;
    json_t *result = json_string("late");
    l->done(result, NULL, l->data);
    json_decref(result);
    free(l);
    return 0;
}

static int timers_control(void *instance, const char *action, const json_t *args,
                          pantau_reply_fn done, void *data)
{
    (void)instance;
    if (strcmp(action, "echo") == 0) {
        done(args, NULL, data);
    } else if (strcmp(action, "fail") == 0) {
        done(NULL, "it failed", data);
    } else if (strcmp(action, "twice") == 0) {
        done(NULL, NULL, data);
        done(NULL, NULL, data);
    } else if (strcmp(action, "later") == 0) {
        later *l = malloc(sizeof *l);
        *l = (later){done, data};
        host->timer_add(100, answer_later, l);
    } else {
        return -1;
    }
    return 0;
}

static int timers_type_control(const char *action, const json_t *args, pantau_reply_fn done,
                               void *data)
{
    (void)args;
    if (strcmp(action, "ping") != 0)
        return -1;
    json_t *pong = json_string("pong");
    done(pong, NULL, data);
    json_decref(pong);
    return 0;
}

static void *timers_create(pantau_source *source, const json_t *settings, char **error)
{
    (void)settings;
    (void)error;
    timers *t = calloc(1, sizeof *t);
    t->source = source;
    t->fired = json_array();
    return t;
}

static void timers_start(void *instance)
{
    host->timer_add(200, tick_a, instance);
    host->timer_add(300, tick_b, instance);
}

static void timers_destroy(void *instance)
{
    timers *t = instance;
    json_decref(t->fired);
    free(t);
}

static const pantau_source_type timers_type = {
    .size = sizeof(pantau_source_type),
    .id = "t",
    .kind = "widget",
    .create = timers_create,
    .destroy = timers_destroy,
    .start = timers_start,
    .control = timers_control,
    .type_control = timers_type_control,
};

static int timers_load(const pantau_host *h)
{
    host = h;
    return h->register_source_type(h, &timers_type, sizeof timers_type);
}

PANTAU_PLUGIN_DEFINE("timers", "1.0.0", "virtual clock test", timers_load, NULL)
