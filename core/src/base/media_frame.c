/* media_frame.c - refcounted access units with room for headers. */
#include "media_frame.h"

#include <glib.h>
#include <string.h>

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

static void put_le64(uint8_t *p, uint64_t v)
{
    put_le32(p, (uint32_t)v);
    put_le32(p + 4, (uint32_t)(v >> 32));
}

void media_header_write(uint8_t *out, uint32_t stream, unsigned flags, int64_t pts_us,
                        int64_t recv_us)
{
    out[0] = MEDIA_HEADER_VERSION;
    out[1] = (uint8_t)flags;
    put_le16(out + 2, MEDIA_HEADER_LEN);
    put_le32(out + 4, stream);
    put_le64(out + 8, (uint64_t)pts_us);
    put_le64(out + 16, (uint64_t)recv_us);
}

media_frame *media_frame_new(size_t room, const void *data, size_t len)
{
    media_frame *f = g_malloc(sizeof *f + room + len);
    *f = (media_frame){.room = room, .len = len, .refs = 1};
    memcpy(f->bytes + room, data, len);
    return f;
}

media_frame *media_frame_ref(media_frame *f)
{
    g_atomic_int_inc(&f->refs);
    return f;
}

void media_frame_unref(media_frame *f)
{
    if (f && g_atomic_int_dec_and_test(&f->refs))
        g_free(f);
}

const uint8_t *media_frame_data(const media_frame *f)
{
    return f->bytes + f->room;
}

bool media_frame_is_keyframe(const media_frame *f)
{
    return f->flags & MEDIA_FLAG_KEYFRAME;
}
