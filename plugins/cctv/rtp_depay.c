/* rtp_depay.c - the part of the lean RTSP client's RTP depacketisers that
 * does not depend on the codec (see rtp_depay.h): RTP headers, sequence
 * and timestamp tracking, and the access-unit buffer.
 *
 * One copy per payload byte: NAL units are written straight after their
 * start code into one growable AU buffer, and the codec notes their types
 * as they go by, so an AU is never scanned. The buffer keeps headroom in
 * front of the AU for the parameter sets that a keyframe without them in
 * band needs. Input is hostile: every length is checked, and whatever
 * cannot be assembled whole is dropped up to the next keyframe. */
#include "rtp_depay.h"

#include <glib.h>
#include <string.h>

/* An AU larger than this is dropped (no camera sends one; a hostile one
 * must not make us allocate without end). */
#define AU_MAX (8 * 1024 * 1024)
/* Largest parameter set remembered (real ones are tens of bytes). */
#define PARAM_MAX 1024
#define AU_INITIAL_CAP (64 * 1024)
/* The unwrapped timestamp stays within +-2^56 ticks (25,000 years at
 * 90 kHz): a camera that jumps its timestamp by 2^31 every packet must not
 * overflow ticks * 100 / 9 (signed overflow after 43 million packets). */
#define EXT_TS_LIMIT ((int64_t)1 << 56)
/* How many emitted pictures' timestamps are remembered to drop a repeat
 * (a GOP's worth would be more than any server repeats). */
#define RECENT_TS 16

/* What the AU being built holds. */
enum {
    HAS_VCL = 1,
    HAS_KEY = 2,
    HAS_PARAM0 = 4, /* HAS_PARAM0 << slot */
};

typedef void (*emit_fn)(void *user, const uint8_t *au, size_t len, int keyframe, int64_t pts_us);

struct rtp_depay {
    const rtp_depay_codec *codec;
    uint8_t *buf; /* [headroom][AU]; the AU starts at head */
    size_t cap;
    size_t head;
    size_t len; /* AU bytes after head */
    int in_au;
    unsigned has; /* HAS_* of the AU */
    uint32_t au_ts;
    int64_t au_ext; /* the AU's timestamp, unwrapped, from the first packet */

    int fu_active; /* a fragmented NAL unit is open */
    int fu_type;
    size_t fu_start; /* offset of its NAL header after head */

    int have_seq;
    uint16_t next_seq;
    int wait_key; /* after a loss (and at first): drop AUs until a keyframe */
    int skipping; /* after a loss: drop packets up to the AU's end */
    uint32_t skip_ts;

    uint32_t recent_ts[RECENT_TS]; /* of the last pictures emitted */
    unsigned recent_n;
    unsigned recent_next;

    int have_ts;
    uint32_t last_ts;
    int64_t ext_ts; /* 90 kHz ticks since the first packet */

    uint8_t param[RTP_DEPAY_MAX_PARAMS][PARAM_MAX];
    size_t param_len[RTP_DEPAY_MAX_PARAMS];
};

typedef struct rtp_packet {
    uint16_t seq;
    uint32_t ts;
    int marker;
    const uint8_t *payload;
    size_t len;
} rtp_packet;

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Keeps a parameter set (too large ones are not remembered). */
static void remember(rtp_depay *d, unsigned slot, const uint8_t *nal, size_t n)
{
    if (n > PARAM_MAX)
        return;
    memcpy(d->param[slot], nal, n);
    d->param_len[slot] = n;
}

rtp_depay *rtp_depay_new(const rtp_depay_codec *codec, const uint8_t *const *params,
                         const size_t *lens)
{
    rtp_depay *d = g_new0(rtp_depay, 1);
    d->codec = codec;
    d->cap = AU_INITIAL_CAP;
    d->buf = g_malloc(d->cap);
    d->wait_key = 1; /* what comes before the first keyframe cannot be decoded */
    for (unsigned i = 0; i < codec->nparams; i++)
        if (params[i] && lens[i])
            remember(d, i, params[i], lens[i]);
    return d;
}

void rtp_depay_free(rtp_depay *d)
{
    if (!d)
        return;
    g_free(d->buf);
    g_free(d);
}

/* ---- AU buffer ---- */

void rtp_depay_lose(rtp_depay *d, uint32_t ts)
{
    d->in_au = 0;
    d->fu_active = 0;
    d->len = 0;
    d->wait_key = 1;
    d->skipping = 1;
    d->skip_ts = ts;
}

/* Makes room for extra more AU bytes; -1 (and the AU lost) past AU_MAX. */
static int reserve(rtp_depay *d, size_t extra)
{
    if (extra > AU_MAX - d->len) {
        rtp_depay_lose(d, d->au_ts);
        return -1;
    }
    size_t need = d->head + d->len + extra;
    if (need <= d->cap)
        return 0;
    size_t cap = d->cap * 2;
    while (cap < need)
        cap *= 2;
    d->buf = g_realloc(d->buf, cap);
    d->cap = cap;
    return 0;
}

static void put_start_code(uint8_t *p)
{
    p[0] = 0;
    p[1] = 0;
    p[2] = 0;
    p[3] = 1;
}

/* Bytes the remembered parameter sets take with their start codes. */
static size_t params_size(const rtp_depay *d)
{
    size_t n = 0;
    for (unsigned i = 0; i < d->codec->nparams; i++)
        n += 4 + d->param_len[i];
    return n;
}

static void start_au(rtp_depay *d, uint32_t ts)
{
    d->in_au = 1;
    d->has = 0;
    d->len = 0;
    d->au_ts = ts;
    d->au_ext = d->ext_ts;
    /* Room to put the remembered parameter sets in front of a keyframe. */
    d->head = params_size(d); /* < AU_INITIAL_CAP */
}

/* Notes a complete NAL unit (its bytes at nal) of the AU. */
static void note_nal(rtp_depay *d, const uint8_t *nal, size_t n)
{
    unsigned slot = 0;
    switch (d->codec->classify(nal, n, &slot)) {
    case RTP_NAL_KEY:
        d->has |= HAS_KEY | HAS_VCL;
        break;
    case RTP_NAL_VCL:
        d->has |= HAS_VCL;
        break;
    case RTP_NAL_PARAM:
        /* Only sets before the first slice serve the keyframe's decoder;
         * later ones are remembered for the next keyframe. */
        if (!(d->has & HAS_VCL))
            d->has |= HAS_PARAM0 << slot;
        remember(d, slot, nal, n);
        break;
    default:
        break;
    }
}

int rtp_depay_put_nal(rtp_depay *d, const uint8_t *nal, size_t n)
{
    unsigned slot;
    if (!n || d->codec->classify(nal, n, &slot) == RTP_NAL_DROP)
        return 0;
    if (reserve(d, 4 + n))
        return -1;
    uint8_t *p = d->buf + d->head + d->len;
    put_start_code(p);
    memcpy(p + 4, nal, n);
    d->len += 4 + n;
    note_nal(d, p + 4, n);
    return 0;
}

void rtp_depay_put_aggregate(rtp_depay *d, const uint8_t *p, size_t n, uint32_t ts)
{
    while (n >= 2) {
        size_t size = be16(p);
        p += 2;
        n -= 2;
        if (size > n) {
            rtp_depay_lose(d, ts);
            return;
        }
        if (rtp_depay_put_nal(d, p, size))
            return;
        p += size;
        n -= size;
    }
}

int rtp_depay_in_fragment(const rtp_depay *d)
{
    return d->fu_active;
}

/* The first fragment: start code and the rebuilt NAL header, then data. */
static void fragment_start(rtp_depay *d, const uint8_t *header, size_t hlen, int type,
                           const uint8_t *data, size_t n)
{
    if (reserve(d, 4 + hlen + n))
        return;
    uint8_t *w = d->buf + d->head + d->len;
    put_start_code(w);
    memcpy(w + 4, header, hlen);
    memcpy(w + 4 + hlen, data, n);
    d->fu_active = 1;
    d->fu_type = type;
    d->fu_start = d->len + 4;
    d->len += 4 + hlen + n;
}

void rtp_depay_put_fragment(rtp_depay *d, const uint8_t *header, size_t hlen, int type, int start,
                            int end, int usable, const uint8_t *data, size_t n, uint32_t ts)
{
    int broken = start ? d->fu_active : !d->fu_active || type != d->fu_type;
    if (broken) {
        /* A start inside a NAL unit, or a middle without its start. */
        rtp_depay_lose(d, ts);
        return;
    }
    if (start) {
        if (!usable)
            return;
        fragment_start(d, header, hlen, type, data, n);
    } else {
        if (reserve(d, n))
            return;
        memcpy(d->buf + d->head + d->len, data, n);
        d->len += n;
    }
    if (end && d->fu_active) {
        d->fu_active = 0;
        note_nal(d, d->buf + d->head + d->fu_start, d->len - d->fu_start);
    }
}

/* Puts the remembered parameter sets in front of the AU; -1 when one is
 * not known (the keyframe cannot be decoded). Returns the offset of the
 * result. */
static long prepend_parameter_sets(rtp_depay *d)
{
    for (unsigned i = 0; i < d->codec->nparams; i++)
        if (!d->param_len[i])
            return -1;
    size_t need = params_size(d);
    if (need > d->head) {
        /* In-band sets grew since the AU started: rare, so a move is fine. */
        size_t grow = need - d->head;
        if (d->head + d->len + grow > d->cap) {
            d->cap = d->head + d->len + grow;
            d->buf = g_realloc(d->buf, d->cap);
        }
        memmove(d->buf + need, d->buf + d->head, d->len);
        d->head = need;
    }
    uint8_t *p = d->buf + d->head - need;
    for (unsigned i = 0; i < d->codec->nparams; i++) {
        put_start_code(p);
        memcpy(p + 4, d->param[i], d->param_len[i]);
        p += 4 + d->param_len[i];
    }
    return (long)(d->head - need);
}

/* Whether a picture with timestamp ts was emitted lately: two pictures
 * never share one (RFC 6184 5.1), so it is a repeat. gst-rtsp-server sends
 * a shared stream's keyframe again when another client joins. */
static int repeats_recent_picture(const rtp_depay *d, uint32_t ts)
{
    for (unsigned i = 0; i < d->recent_n; i++)
        if (d->recent_ts[i] == ts)
            return 1;
    return 0;
}

static void note_emitted(rtp_depay *d, uint32_t ts)
{
    d->recent_ts[d->recent_next] = ts;
    d->recent_next = (d->recent_next + 1) % RECENT_TS;
    if (d->recent_n < RECENT_TS)
        d->recent_n++;
}

/* Ends the AU being built and emits it when it can be decoded and is not
 * a repeat. */
static void finish_au(rtp_depay *d, emit_fn emit, void *user)
{
    if (!d->in_au)
        return;
    d->in_au = 0;
    if (d->fu_active) {
        /* Its last NAL unit never ended. */
        d->fu_active = 0;
        d->wait_key = 1;
        return;
    }
    int key = (d->has & HAS_KEY) != 0;
    if (!(d->has & HAS_VCL) || (d->wait_key && !key) || repeats_recent_picture(d, d->au_ts))
        return;
    long off = (long)d->head;
    /* HAS_PARAM0 << slot for every slot of the codec. */
    unsigned all = ((HAS_PARAM0 << d->codec->nparams) - 1) & ~(HAS_PARAM0 - 1);
    if (key && (d->has & all) != all)
        off = prepend_parameter_sets(d);
    if (off < 0)
        return;
    d->wait_key = 0;
    note_emitted(d, d->au_ts);
    emit(user, d->buf + off, d->head - (size_t)off + d->len, key, d->au_ext * 100 / 9);
}

/* ---- packets ---- */

/* Parses the fixed header, CSRCs, extension and padding; -1 if invalid. */
static int parse_rtp(const uint8_t *pkt, size_t len, rtp_packet *p)
{
    if (len < 12 || pkt[0] >> 6 != 2)
        return -1;
    size_t hlen = 12 + 4 * (size_t)(pkt[0] & 0x0f);
    if (pkt[0] & 0x10) {
        if (len < hlen + 4)
            return -1;
        hlen += 4 + 4 * (size_t)be16(pkt + hlen + 2);
    }
    if (len < hlen)
        return -1;
    size_t plen = len - hlen;
    if (pkt[0] & 0x20) {
        size_t pad = plen ? pkt[len - 1] : 0;
        if (!pad || pad > plen)
            return -1;
        plen -= pad;
    }
    p->marker = pkt[1] >> 7;
    p->seq = be16(pkt + 2);
    p->ts = be32(pkt + 4);
    p->payload = pkt + hlen;
    p->len = plen;
    return 0;
}

/* Tracks the sequence number (a gap loses the AU) and the timestamp. */
static void track(rtp_depay *d, const rtp_packet *p)
{
    if (d->have_seq && p->seq != d->next_seq) {
        rtp_depay_lose(d, p->ts);
        /* A keyframe starting right after the gap is whole: kept, rather
         * than waiting a GOP for the next one. */
        if (p->len && d->codec->begins_keyframe(p->payload, p->len) && d->have_ts &&
            p->ts != d->last_ts)
            d->skipping = 0;
    }
    d->have_seq = 1;
    d->next_seq = (uint16_t)(p->seq + 1);
    if (d->have_ts) {
        int64_t ext = d->ext_ts + (int32_t)(p->ts - d->last_ts);
        d->ext_ts = CLAMP(ext, -EXT_TS_LIMIT, EXT_TS_LIMIT);
    }
    d->have_ts = 1;
    d->last_ts = p->ts;
}

int rtp_depay_push(rtp_depay *d, const uint8_t *pkt, size_t len, emit_fn emit, void *user)
{
    rtp_packet p;
    if (parse_rtp(pkt, len, &p))
        return -1;
    track(d, &p);
    if (d->skipping && p.ts == d->skip_ts) {
        d->skipping = !p.marker;
        return 0;
    }
    d->skipping = 0;
    if (d->in_au && p.ts != d->au_ts)
        finish_au(d, emit, user); /* its marker packet never came */
    if (!d->in_au)
        start_au(d, p.ts);
    if (p.len)
        d->codec->payload(d, p.payload, p.len, p.ts);
    if (d->skipping) {
        d->skipping = !p.marker;
        return 0;
    }
    if (p.marker)
        finish_au(d, emit, user);
    return 0;
}
