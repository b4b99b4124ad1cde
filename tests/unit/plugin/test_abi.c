/* test_abi.c - pins the plugin ABI of core/include/pantau/plugin.h: the
 * offset of every field and the size of every public struct, and the values
 * of the public enums, as GStreamer's tests/check/gst/gstabi.c does. A
 * plugin built against an older header must keep working, so a change here
 * is either an addition at the end of a struct (add its line, bump the ABI
 * minor) or a mistake.
 *
 * The figures are those of x86_64 (LP64, 8-byte pointers and size_t). On
 * other architectures the layouts differ, and the test checks only that
 * every struct has a nonzero size and that fields come in declared order. */
#include "pantau/plugin.h"
#include "test_util.h"

#include <stddef.h>

typedef struct abi_field {
    const char *name;
    size_t offset;
    size_t expected; /* x86_64 */
} abi_field;

typedef struct abi_struct {
    const char *name;
    size_t size;
    size_t expected; /* x86_64 */
    const abi_field *fields;
    size_t n_fields;
} abi_struct;

#define FIELD(type, member, x86_64)                                                                \
    {                                                                                              \
#member, offsetof(type, member), x86_64                                                    \
    }
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const abi_field source_type_fields[] = {
    FIELD(pantau_source_type, size, 0),           FIELD(pantau_source_type, id, 8),
    FIELD(pantau_source_type, kind, 16),          FIELD(pantau_source_type, display_name, 24),
    FIELD(pantau_source_type, web_module, 32),    FIELD(pantau_source_type, defaults, 40),
    FIELD(pantau_source_type, schema, 48),        FIELD(pantau_source_type, create, 56),
    FIELD(pantau_source_type, destroy, 64),       FIELD(pantau_source_type, update, 72),
    FIELD(pantau_source_type, start, 80),         FIELD(pantau_source_type, stop, 88),
    FIELD(pantau_source_type, stream_open, 96),   /* ABI 1.1 */
    FIELD(pantau_source_type, stream_close, 104), /* ABI 1.1 */
    FIELD(pantau_source_type, check, 112),        /* ABI 1.2 */
    FIELD(pantau_source_type, control, 120),      /* ABI 1.3 */
    FIELD(pantau_source_type, type_control, 128), /* ABI 1.3 */
    FIELD(pantau_source_type, type_data, 136),    /* ABI 1.4 */
    FIELD(pantau_source_type, defaults_for, 144), /* ABI 1.4 */
    FIELD(pantau_source_type, schema_for, 152),   /* ABI 1.4 */
    FIELD(pantau_source_type, create_for, 160),   /* ABI 1.4 */
    FIELD(pantau_source_type, check_for, 168),    /* ABI 1.4 */
};

static const abi_field host_fields[] = {
    FIELD(pantau_host, size, 0),
    FIELD(pantau_host, abi_major, 8),
    FIELD(pantau_host, abi_minor, 12),
    FIELD(pantau_host, log, 16),
    FIELD(pantau_host, register_source_type, 24),
    FIELD(pantau_host, publish, 32),
    FIELD(pantau_host, set_status, 40),
    FIELD(pantau_host, raise_event, 48),
    FIELD(pantau_host, timer_add, 56),
    FIELD(pantau_host, timer_remove, 64),
    FIELD(pantau_host, source_id, 72),
    FIELD(pantau_host, state_dir, 80),
    FIELD(pantau_host, plugin_data_dir, 88),
    FIELD(pantau_host, media_push, 96),        /* ABI 1.1 */
    FIELD(pantau_host, set_status_async, 104), /* ABI 1.1 */
    FIELD(pantau_host, register_type, 112),    /* ABI 1.4 */
};

static const abi_field descriptor_fields[] = {
    FIELD(pantau_plugin_descriptor, abi_major, 0),    FIELD(pantau_plugin_descriptor, abi_minor, 4),
    FIELD(pantau_plugin_descriptor, name, 8),         FIELD(pantau_plugin_descriptor, version, 16),
    FIELD(pantau_plugin_descriptor, description, 24), FIELD(pantau_plugin_descriptor, load, 32),
    FIELD(pantau_plugin_descriptor, unload, 40),
};

static const abi_struct structs[] = {
    {"pantau_source_type", sizeof(pantau_source_type), 176, source_type_fields,
     N(source_type_fields)},
    {"pantau_host", sizeof(pantau_host), 120, host_fields, N(host_fields)},
    {"pantau_plugin_descriptor", sizeof(pantau_plugin_descriptor), 48, descriptor_fields,
     N(descriptor_fields)},
};

START_TEST(struct_layout)
{
    const abi_struct *s = &structs[_i];
    ck_assert_msg(s->size > 0, "%s has size 0", s->name);
    for (size_t f = 1; f < s->n_fields; f++)
        ck_assert_msg(s->fields[f].offset > s->fields[f - 1].offset, "%s.%s is out of order",
                      s->name, s->fields[f].name);
    ck_assert_msg(s->fields[s->n_fields - 1].offset < s->size, "%s: last field past the end",
                  s->name);
#if defined(__x86_64__)
    ck_assert_msg(s->size == s->expected, "sizeof(%s) is %zu, was %zu", s->name, s->size,
                  s->expected);
    for (size_t f = 0; f < s->n_fields; f++)
        ck_assert_msg(s->fields[f].offset == s->fields[f].expected,
                      "offsetof(%s, %s) is %zu, was %zu", s->name, s->fields[f].name,
                      s->fields[f].offset, s->fields[f].expected);
#endif
}
END_TEST

/* Enum values cross the ABI as plain integers: they never change. */
START_TEST(enum_values)
{
    ck_assert_int_eq(PANTAU_LOG_ERROR, 0);
    ck_assert_int_eq(PANTAU_LOG_WARN, 1);
    ck_assert_int_eq(PANTAU_LOG_INFO, 2);
    ck_assert_int_eq(PANTAU_LOG_DEBUG, 3);
    ck_assert_int_eq(PANTAU_SEVERITY_INFO, 0);
    ck_assert_int_eq(PANTAU_SEVERITY_WARNING, 1);
    ck_assert_int_eq(PANTAU_SEVERITY_CRITICAL, 2);
    ck_assert_int_eq(PANTAU_STREAM_MAIN, 0);
    ck_assert_int_eq(PANTAU_STREAM_SUB, 1);
    ck_assert_int_eq(PANTAU_MEDIA_TRANSCODED, 1);
    ck_assert_int_eq(PANTAU_MEDIA_H265, 2);
    ck_assert_int_eq(PANTAU_STATUS_LIVE, 0);
    ck_assert_int_eq(PANTAU_STATUS_RECONNECTING, 1);
    ck_assert_int_eq(PANTAU_STATUS_OFFLINE, 2);
    ck_assert_int_eq(PANTAU_STATUS_ERROR, 3);
    ck_assert_int_eq(PANTAU_STATUS_STALE, 4);
    ck_assert_int_eq(PANTAU_STATUS_IDLE, 5);
}
END_TEST

static Suite *abi_suite(void)
{
    Suite *s = suite_create("abi");
    TCase *tc = tcase_create("layout");
    tcase_add_loop_test(tc, struct_layout, 0, (int)N(structs));
    tcase_add_test(tc, enum_values);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return tu_run(abi_suite(), argc, argv);
}
