/* common.h - a minimal source type shared by the test plugins. */
#ifndef PANTAU_TEST_PLUGIN_COMMON_H
#define PANTAU_TEST_PLUGIN_COMMON_H

#include <pantau/plugin.h>

__attribute__((unused)) static void *test_create(pantau_source *source, const json_t *settings,
                                                 char **error)
{
    (void)settings, (void)error;
    return source;
}

__attribute__((unused)) static void test_destroy(void *instance)
{
    (void)instance;
}

/* An exported descriptor function written by hand, for descriptors the
 * PANTAU_PLUGIN_DEFINE macro cannot express. */
#define TEST_DESCRIBE(DESCRIPTOR)                                                                  \
    __attribute__((visibility("default"))) const pantau_plugin_descriptor *pantau_plugin_describe( \
        void);                                                                                     \
    const pantau_plugin_descriptor *pantau_plugin_describe(void)                                   \
    {                                                                                              \
        return &(DESCRIPTOR);                                                                      \
    }

#endif
