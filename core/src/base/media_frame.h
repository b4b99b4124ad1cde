/* media_frame.h - one H.264 or H.265 access unit as the media engine keeps and
 * relays it: refcounted, with room in front of its bytes that the network
 * asked for (its own framing and the binary media header, docs/protocol.md),
 * so that the network writes its headers there and every client gets the
 * same bytes without a copy. Also the binary media header itself. */
#ifndef PANTAU_MEDIA_FRAME_H
#define PANTAU_MEDIA_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The binary frame header (docs/protocol.md), little-endian:
 * u8 version, u8 flags, u16 header length, u32 stream id, i64 pts (us),
 * i64 server receive time (us since the epoch); then one access unit. */
#define MEDIA_HEADER_VERSION 1
#define MEDIA_HEADER_LEN 24
enum media_frame_flags {
    MEDIA_FLAG_KEYFRAME = 1u << 0,
    MEDIA_FLAG_CONFIG = 1u << 1, /* SPS and PPS (H.265: and VPS) in this access unit */
    MEDIA_FLAG_SUB = 1u << 2,
    MEDIA_FLAG_TRANSCODED = 1u << 3,
    MEDIA_FLAG_H265 = 1u << 4, /* an H.265 access unit (else H.264) */
};

/* Writes the header for a frame into out[MEDIA_HEADER_LEN]. */
void media_header_write(uint8_t *out, uint32_t stream, unsigned flags, int64_t pts_us,
                        int64_t recv_us);

typedef struct media_frame {
    uint32_t stream; /* the stream's id (the media event's "stream") */
    unsigned flags;  /* enum media_frame_flags */
    int64_t pts_us;
    int64_t recv_us; /* when the server received it: real time, us since the epoch */
    size_t room;     /* bytes in front of the access unit, for the network's headers */
    size_t len;      /* bytes of the access unit */
    int refs;        /* media_frame_ref / media_frame_unref only (atomic) */
    uint8_t bytes[]; /* room bytes (undefined), then the access unit */
} media_frame;

/* A frame of the len bytes at data (copied) behind room bytes of room,
 * stream, flags and times zero, refcount 1. Its fields and bytes are set
 * by one thread before it is shared; ref and unref are atomic (a recording
 * writer's streaming thread drops the reference it was given). */
media_frame *media_frame_new(size_t room, const void *data, size_t len);
/* Adds a reference; returns f. */
media_frame *media_frame_ref(media_frame *f);
/* Drops a reference; the last frees f. NULL is ignored. */
void media_frame_unref(media_frame *f);

/* The access unit: len bytes after the room. */
const uint8_t *media_frame_data(const media_frame *f);

/* Whether the frame is a keyframe (MEDIA_FLAG_KEYFRAME). */
bool media_frame_is_keyframe(const media_frame *f);

#endif
