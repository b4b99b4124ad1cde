/* fmp4.c - the fragmented MP4 reader (fmp4.h): box headers with pread, a
 * whole moof at a time, the samples' bytes only when asked for. */
#include "fmp4.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Boxes larger than this are not read into memory (moov, moof). */
#define MAX_HEADER_BOX (4u * 1024u * 1024u)
#define MAX_SAMPLE (16u * 1024u * 1024u)
#define MAX_RUN_SAMPLES 4096u /* a run of samples with no field each */

struct fmp4_reader {
    int fd;
    uint32_t timescale;
    bool h265;
    unsigned nal_len_size;  /* bytes of each NAL unit's length prefix: 1, 2 or 4 */
    GByteArray *params;     /* Annex B parameter sets of the sample entry */
    uint32_t trex_duration; /* the defaults of mvex/trex */
    uint32_t trex_size;
    uint64_t pos;     /* offset of the next top-level box */
    GArray *pending;  /* fmp4_sample: of the fragment read last, not yet given */
    guint next;       /* index in pending */
    int64_t next_dts; /* decode time after the last sample (timescale units) */
    bool have_origin;
    int64_t origin; /* the first sample's presentation time */
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* A box in memory: its type and its payload. */
typedef struct box {
    char type[5];
    const uint8_t *data; /* payload, after the header */
    size_t len;
} box;

/* The box at buf[*pos..len); advances *pos. False at the end or when malformed. */
static bool box_next(const uint8_t *buf, size_t len, size_t *pos, box *b)
{
    if (len - *pos < 8)
        return false;
    const uint8_t *p = buf + *pos;
    uint64_t size = be32(p), head = 8;
    if (size == 1) {
        if (len - *pos < 16)
            return false;
        size = be64(p + 8);
        head = 16;
    } else if (size == 0) {
        size = len - *pos;
    }
    if (size < head || size > len - *pos)
        return false;
    memcpy(b->type, p + 4, 4);
    b->type[4] = 0;
    b->data = p + head;
    b->len = (size_t)(size - head);
    *pos += (size_t)size;
    return true;
}

/* The first child of type in parent's payload (skip bytes first). */
static bool box_child(const box *parent, size_t skip, const char *type, box *out)
{
    const box in = *parent; /* out may be parent */
    size_t pos = skip;
    box b;
    if (skip > in.len)
        return false;
    while (box_next(in.data, in.len, &pos, &b))
        if (!memcmp(b.type, type, 4)) {
            *out = b;
            return true;
        }
    return false;
}

/* Follows a path of containers ("trak/mdia/minf"). */
static bool box_path(const box *root, const char *path, box *out)
{
    box cur = *root;
    char **parts = g_strsplit(path, "/", -1);
    bool ok = true;
    for (char **p = parts; *p && ok; p++) {
        /* box_child overwrites out while it walks parent: not the same box. */
        box child;
        ok = box_child(&cur, 0, *p, &child);
        cur = child;
    }
    g_strfreev(parts);
    if (ok)
        *out = cur;
    return ok;
}

static void append_nal(GByteArray *out, const uint8_t *nal, size_t len)
{
    static const uint8_t start[4] = {0, 0, 0, 1};
    g_byte_array_append(out, start, 4);
    g_byte_array_append(out, nal, (guint)len);
}

/* n NAL units, each behind a 16-bit length, from p (before end) into
 * rd->params as Annex B. Returns where they end, or NULL when malformed. */
static const uint8_t *append_nals(fmp4_reader *rd, const uint8_t *p, const uint8_t *end, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (end - p < 2 || (size_t)(end - p - 2) < be16(p))
            return NULL;
        append_nal(rd->params, p + 2, be16(p));
        p += 2 + be16(p);
    }
    return p;
}

/* avcC: SPS and PPS as Annex B, and the length size. */
static bool parse_avcc(fmp4_reader *rd, const box *b)
{
    const uint8_t *p = b->data, *end = b->data + b->len;
    if (b->len < 7)
        return false;
    rd->nal_len_size = (p[4] & 3) + 1u;
    p += 5;
    for (int kind = 0; kind < 2 && p; kind++) {
        if (p >= end)
            return false;
        unsigned n = kind == 0 ? (*p & 0x1f) : *p;
        p = append_nals(rd, p + 1, end, n);
    }
    return p != NULL;
}

/* hvcC: VPS, SPS and PPS as Annex B, and the length size. */
static bool parse_hvcc(fmp4_reader *rd, const box *b)
{
    const uint8_t *p = b->data, *end = b->data + b->len;
    if (b->len < 23)
        return false;
    rd->nal_len_size = (p[21] & 3) + 1u;
    unsigned arrays = p[22];
    p += 23;
    for (unsigned a = 0; a < arrays && p; a++) {
        if (end - p < 3)
            return false;
        p = append_nals(rd, p + 3, end, be16(p + 1));
    }
    return p != NULL;
}

/* The sample entry in stsd: avc1/avc3 or hvc1/hev1 with its config. */
static bool parse_stsd(fmp4_reader *rd, const box *stsd)
{
    size_t pos = 8; /* version, flags, entry count */
    box entry, cfg;
    if (!box_next(stsd->data, stsd->len, &pos, &entry))
        return false;
    /* 78 bytes of VisualSampleEntry before its child boxes. */
    if (!memcmp(entry.type, "avc1", 4) || !memcmp(entry.type, "avc3", 4))
        return box_child(&entry, 78, "avcC", &cfg) && parse_avcc(rd, &cfg);
    if (!memcmp(entry.type, "hvc1", 4) || !memcmp(entry.type, "hev1", 4)) {
        rd->h265 = true;
        return box_child(&entry, 78, "hvcC", &cfg) && parse_hvcc(rd, &cfg);
    }
    return false;
}

static bool parse_moov(fmp4_reader *rd, const box *moov)
{
    box mdhd, stsd, trex;
    if (!box_path(moov, "trak/mdia/mdhd", &mdhd) || mdhd.len < 24)
        return false;
    rd->timescale = mdhd.data[0] == 1 ? be32(mdhd.data + 20) : be32(mdhd.data + 12);
    if (!rd->timescale || !box_path(moov, "trak/mdia/minf/stbl/stsd", &stsd) ||
        !parse_stsd(rd, &stsd))
        return false;
    if (box_path(moov, "mvex/trex", &trex) && trex.len >= 24) {
        rd->trex_duration = be32(trex.data + 12);
        rd->trex_size = be32(trex.data + 16);
    }
    return true;
}

/* Reads len bytes at off into a new buffer, or NULL. */
static uint8_t *read_at(int fd, uint64_t off, size_t len)
{
    uint8_t *buf = g_malloc(len ? len : 1);
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            g_free(buf);
            return NULL;
        }
        got += (size_t)n;
    }
    return buf;
}

/* The header of the top-level box at off in a file of file_size bytes:
 * its type, total size (0: runs to the end, unfinished) and header size.
 * False when the header itself is not all there. */
static bool file_box_at(int fd, uint64_t off, uint64_t file_size, char type[5], uint64_t *size,
                        unsigned *head)
{
    uint8_t h[16];
    if (file_size < off + 8 || pread(fd, h, 8, (off_t)off) != 8)
        return false;
    *size = be32(h);
    *head = 8;
    if (*size == 1) {
        if (file_size < off + 16 || pread(fd, h + 8, 8, (off_t)(off + 8)) != 8)
            return false;
        *size = be64(h + 8);
        *head = 16;
    }
    memcpy(type, h + 4, 4);
    type[4] = 0;
    return true;
}

static uint64_t file_size_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) ? 0 : (uint64_t)st.st_size;
}

fmp4_reader *fmp4_open(const char *path, char **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *error = g_strdup_printf("cannot open %s: %s", path, g_strerror(errno));
        return NULL;
    }
    fmp4_reader *rd = g_new0(fmp4_reader, 1);
    rd->fd = fd;
    rd->params = g_byte_array_new();
    rd->pending = g_array_new(FALSE, FALSE, sizeof(fmp4_sample));
    uint64_t fsize = file_size_of(fd), size;
    unsigned head;
    char type[5];
    while (file_box_at(fd, rd->pos, fsize, type, &size, &head) && size >= head &&
           rd->pos + size <= fsize) {
        uint64_t at = rd->pos;
        rd->pos += size;
        if (strcmp(type, "moov"))
            continue;
        if (size > MAX_HEADER_BOX)
            break;
        uint8_t *buf = read_at(fd, at + head, (size_t)(size - head));
        box moov = {"moov", buf, (size_t)(size - head)};
        bool ok = buf && parse_moov(rd, &moov);
        g_free(buf);
        if (ok)
            return rd;
        break;
    }
    *error = g_strdup_printf("%s: no complete MP4 header with an H.264/H.265 track", path);
    fmp4_close(rd);
    return NULL;
}

bool fmp4_is_h265(const fmp4_reader *rd)
{
    return rd->h265;
}

/* The tfhd fields a trun falls back on. */
typedef struct traf_defaults {
    uint64_t base; /* base data offset */
    uint32_t duration, size;
} traf_defaults;

static bool parse_tfhd(const box *tfhd, uint64_t moof_at, const fmp4_reader *rd, traf_defaults *d)
{
    if (tfhd->len < 8)
        return false;
    uint32_t flags = be32(tfhd->data) & 0xffffff;
    const uint8_t *p = tfhd->data + 8, *end = tfhd->data + tfhd->len;
    d->base = moof_at;
    d->duration = rd->trex_duration;
    d->size = rd->trex_size;
    if ((flags & 0x1) && end - p >= 8) {
        d->base = be64(p);
        p += 8;
    }
    if (flags & 0x2)
        p += 4;
    if ((flags & 0x8) && end - p >= 4) {
        d->duration = be32(p);
        p += 4;
    }
    if ((flags & 0x10) && end - p >= 4)
        d->size = be32(p);
    return true;
}

/* t ticks in microseconds; a time past what that holds (a damaged file)
 * is clamped. */
static int64_t to_us(const fmp4_reader *rd, int64_t t)
{
    const int64_t limit = INT64_MAX / G_USEC_PER_SEC;
    return CLAMP(t, -limit, limit) * G_USEC_PER_SEC / rd->timescale;
}

/* The samples of one trun into pending. */
static bool parse_trun(fmp4_reader *rd, const box *trun, const traf_defaults *d)
{
    if (trun->len < 8)
        return false;
    uint32_t flags = be32(trun->data) & 0xffffff;
    bool signed_cts = trun->data[0] >= 1;
    uint32_t count = be32(trun->data + 4);
    const uint8_t *p = trun->data + 8, *end = trun->data + trun->len;
    uint64_t off = d->base;
    if (flags & 0x1) {
        if (end - p < 4)
            return false;
        off = d->base + (uint64_t)(int64_t)(int32_t)be32(p);
        p += 4;
    }
    if (flags & 0x4)
        p += 4;
    /* A run may give no field per sample (all from tfhd: mp4mux writes a
     * fragment of one sample so); its count is still bounded. */
    size_t each =
        4u * (!!(flags & 0x100) + !!(flags & 0x200) + !!(flags & 0x400) + !!(flags & 0x800));
    if (p > end || (each ? (size_t)(end - p) / each < count : count > MAX_RUN_SAMPLES))
        return false;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t dur = d->duration, size = d->size;
        int64_t cts = 0;
        if (flags & 0x100)
            dur = be32(p), p += 4;
        if (flags & 0x200)
            size = be32(p), p += 4;
        if (flags & 0x400)
            p += 4;
        if (flags & 0x800) {
            cts = signed_cts ? (int64_t)(int32_t)be32(p) : (int64_t)be32(p);
            p += 4;
        }
        int64_t pts = rd->next_dts + cts;
        if (!rd->have_origin) {
            rd->origin = pts;
            rd->have_origin = true;
        }
        fmp4_sample s = {off, size, to_us(rd, pts - rd->origin), to_us(rd, dur)};
        g_array_append_val(rd->pending, s);
        off += size;
        rd->next_dts += dur;
    }
    return true;
}

static bool parse_moof(fmp4_reader *rd, const box *moof, uint64_t moof_at)
{
    box traf, tfhd, tfdt;
    if (!box_child(moof, 0, "traf", &traf) || !box_child(&traf, 0, "tfhd", &tfhd))
        return false;
    traf_defaults d;
    if (!parse_tfhd(&tfhd, moof_at, rd, &d))
        return false;
    /* Held far below the largest time, so that adding durations and
     * offsets to it never overflows. */
    if (box_child(&traf, 0, "tfdt", &tfdt) && tfdt.len >= 8)
        rd->next_dts = (int64_t)MIN(tfdt.data[0] == 1 && tfdt.len >= 12 ? be64(tfdt.data + 4)
                                                                        : be32(tfdt.data + 4),
                                    (uint64_t)INT64_MAX / 4);
    size_t pos = 0;
    box b;
    while (box_next(traf.data, traf.len, &pos, &b))
        if (!memcmp(b.type, "trun", 4) && !parse_trun(rd, &b, &d))
            return false;
    return true;
}

/* Reads the next complete moof (with its mdat) into pending: 1, 0 when
 * none is complete now, -1 when broken. */
static int read_fragment(fmp4_reader *rd)
{
    uint64_t fsize = file_size_of(rd->fd), size;
    unsigned head;
    char type[5];
    while (file_box_at(rd->fd, rd->pos, fsize, type, &size, &head)) {
        if (size == 0)
            return 0; /* a box still being written (or cut short) */
        if (size < head)
            return -1;
        uint64_t at = rd->pos;
        if (at + size > fsize)
            return 0;
        if (strcmp(type, "moof")) {
            rd->pos += size;
            continue;
        }
        /* The moof counts once its mdat is all there too. */
        char mtype[5];
        uint64_t msize;
        unsigned mhead;
        if (!file_box_at(rd->fd, at + size, fsize, mtype, &msize, &mhead) || msize == 0 ||
            at + size + msize > fsize)
            return 0;
        if (size > MAX_HEADER_BOX)
            return -1;
        uint8_t *buf = read_at(rd->fd, at + head, (size_t)(size - head));
        box moof = {"moof", buf, (size_t)(size - head)};
        g_array_set_size(rd->pending, 0);
        rd->next = 0;
        bool ok = buf && parse_moof(rd, &moof, at);
        g_free(buf);
        if (!ok)
            return -1;
        rd->pos = at + size + msize;
        if (rd->pending->len)
            return 1;
    }
    return 0;
}

int fmp4_next(fmp4_reader *rd, fmp4_sample *out)
{
    if (rd->next >= rd->pending->len) {
        int rc = read_fragment(rd);
        if (rc <= 0)
            return rc;
    }
    *out = g_array_index(rd->pending, fmp4_sample, rd->next);
    rd->next++;
    return 1;
}

/* Whether the NAL unit's type is a keyframe slice, or a parameter set. */
static bool nal_is_key(bool h265, uint8_t first)
{
    unsigned t = h265 ? (first >> 1) & 0x3f : first & 0x1f;
    return h265 ? t >= 16 && t <= 21 : t == 5;
}

static bool nal_is_param(bool h265, uint8_t first)
{
    unsigned t = h265 ? (first >> 1) & 0x3f : first & 0x1f;
    return h265 ? t >= 32 && t <= 34 : t == 7 || t == 8;
}

bool fmp4_read_au(fmp4_reader *rd, const fmp4_sample *s, GByteArray *out, bool *key, bool *config)
{
    g_byte_array_set_size(out, 0);
    *key = *config = false;
    if (s->size > MAX_SAMPLE)
        return false;
    uint8_t *buf = read_at(rd->fd, s->offset, s->size);
    if (!buf)
        return false;
    GByteArray *nals = g_byte_array_new();
    size_t pos = 0, n = rd->nal_len_size;
    bool ok = true;
    while (pos < s->size) {
        if (s->size - pos < n) {
            ok = false;
            break;
        }
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
            len = len << 8 | buf[pos + i];
        pos += n;
        if (len == 0 || len > s->size - pos) {
            ok = len == 0;
            continue;
        }
        *key |= nal_is_key(rd->h265, buf[pos]);
        *config |= nal_is_param(rd->h265, buf[pos]);
        append_nal(nals, buf + pos, len);
        pos += len;
    }
    g_free(buf);
    if (*key && !*config && rd->params->len) {
        g_byte_array_append(out, rd->params->data, rd->params->len);
        *config = true;
    }
    g_byte_array_append(out, nals->data, nals->len);
    g_byte_array_free(nals, TRUE);
    return ok;
}

void fmp4_close(fmp4_reader *rd)
{
    if (!rd)
        return;
    close(rd->fd);
    g_byte_array_free(rd->params, TRUE);
    g_array_free(rd->pending, TRUE);
    g_free(rd);
}
