#include "fuzz_util.h"

#include <ftw.h>
#include <gio/gio.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *scratch;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag;
    /* Depth 0 is the directory being emptied: it stays. */
    if (ftw->level > 0)
        remove(path);
    return 0;
}

void fuzz_empty_dir(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void scratch_remove(void)
{
    fuzz_empty_dir(scratch);
    remove(scratch);
    g_free(scratch);
    scratch = NULL;
}

const char *fuzz_scratch_dir(void)
{
    if (scratch)
        return scratch;
    GError *err = NULL;
    scratch = g_dir_make_tmp("pantau-fuzz-XXXXXX", &err);
    if (!scratch) {
        fprintf(stderr, "fuzz: cannot make a scratch directory: %s\n", err->message);
        abort();
    }
    atexit(scratch_remove);
    return scratch;
}

/* Not written atomically nor synced: a scratch file is read back at once. */
char *fuzz_write_file(const char *dir, const char *name, const uint8_t *data, size_t size)
{
    char *path = g_build_filename(dir, name, NULL);
    char *parent = g_path_get_dirname(path);
    GError *err = NULL;
    if (g_mkdir_with_parents(parent, 0700) ||
        !g_file_set_contents_full(path, (const char *)data, (gssize)size, G_FILE_SET_CONTENTS_NONE,
                                  0600, &err)) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", path, err ? err->message : "mkdir failed");
        abort();
    }
    g_free(parent);
    return path;
}

/* ---- a resolver that knows no names ---- */

typedef GResolver OfflineResolver;
typedef GResolverClass OfflineResolverClass;
static GType offline_resolver_get_type(void);
G_DEFINE_TYPE(OfflineResolver, offline_resolver, G_TYPE_RESOLVER)

static GList *offline_lookup_by_name(GResolver *resolver, const char *hostname,
                                     GCancellable *cancellable, GError **error)
{
    (void)resolver, (void)cancellable;
    g_set_error(error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                "no name lookups while fuzzing (%s)", hostname);
    return NULL;
}

static GList *offline_lookup_by_name_with_flags(GResolver *resolver, const char *hostname,
                                                GResolverNameLookupFlags flags,
                                                GCancellable *cancellable, GError **error)
{
    (void)flags;
    return offline_lookup_by_name(resolver, hostname, cancellable, error);
}

static void offline_resolver_class_init(OfflineResolverClass *klass)
{
    klass->lookup_by_name = offline_lookup_by_name;
    klass->lookup_by_name_with_flags = offline_lookup_by_name_with_flags;
}

static void offline_resolver_init(OfflineResolver *self)
{
    (void)self;
}

void fuzz_resolver_offline(void)
{
    GResolver *r = g_object_new(offline_resolver_get_type(), NULL);
    g_resolver_set_default(r);
    g_object_unref(r);
}

void fuzz_each_packet(const uint8_t *data, size_t size,
                      void (*fn)(const uint8_t *pkt, size_t n, void *user), void *user)
{
    size_t pos = 0;
    while (pos + 2 <= size) {
        size_t n = (size_t)data[pos] << 8 | data[pos + 1];
        pos += 2;
        if (n > size - pos)
            n = size - pos;
        uint8_t *pkt = g_memdup2(data + pos, n);
        fn(pkt, n, user);
        g_free(pkt);
        pos += n;
    }
}
