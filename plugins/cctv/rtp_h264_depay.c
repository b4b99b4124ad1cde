/* rtp_h264_depay.c - RTP H.264 depacketiser (RFC 6184, non-interleaved
 * mode): single NAL units, STAP-A and FU-A become Annex B access units.
 *
 * One copy per payload byte: NAL units are written straight after their
 * start code into one growable AU buffer, and the NAL types are noted as
 * they go by, so an AU is never scanned. The buffer keeps headroom in front
 * of the AU for the SPS and PPS that an IDR without them in band needs.
 * Input is hostile: every length is checked, and whatever cannot be
 * assembled whole is dropped up to the next IDR. */
#include "rtsp_client.h"

#include <glib.h>
#include <string.h>

/* An AU larger than this is dropped (no camera sends one; a hostile one
 * must not make us allocate without end). */
#define AU_MAX (8 * 1024 * 1024)
/* Largest SPS or PPS remembered (real ones are tens of bytes). */
#define PARAM_MAX 1024
#define AU_INITIAL_CAP (64 * 1024)
/* The unwrapped timestamp stays within +-2^56 ticks (25,000 years at
 * 90 kHz): a camera that jumps its timestamp by 2^31 every packet must not
 * overflow ticks * 100 / 9 (signed overflow after 43 million packets). */
#define EXT_TS_LIMIT ((int64_t)1 << 56)

enum {
    NAL_SLICE = 1,
    NAL_IDR = 5,
    NAL_SPS = 7,
    NAL_PPS = 8,
    NAL_AUD = 9,
    NAL_STAP_A = 24,
    NAL_FU_A = 28,
};

/* What the AU being built holds. */
enum {
    HAS_VCL = 1,
    HAS_IDR = 2,
    HAS_SPS = 4,
    HAS_PPS = 8,
};

typedef void (*emit_fn)(void *user, const uint8_t *au, size_t len, int keyframe, int64_t pts_us);

struct rtp_h264_depay {
    uint8_t *buf; /* [headroom][AU]; the AU starts at head */
    size_t cap;
    size_t head;
    size_t len; /* AU bytes after head */
    int in_au;
    unsigned has; /* HAS_* of the AU */
    uint32_t au_ts;
    int64_t au_ext; /* the AU's timestamp, unwrapped, from the first packet */

    int fu_active; /* a FU-A NAL unit is open */
    int fu_type;
    size_t fu_start; /* offset of its NAL header after head */

    int have_seq;
    uint16_t next_seq;
    int wait_idr; /* after a loss (and at first): drop AUs until an IDR */
    int skipping; /* after a loss: drop packets up to the AU's end */
    uint32_t skip_ts;

    int have_ts;
    uint32_t last_ts;
    int64_t ext_ts; /* 90 kHz ticks since the first packet */

    uint8_t sps[PARAM_MAX], pps[PARAM_MAX];
    size_t sps_len, pps_len;
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
static void remember(uint8_t *dst, size_t *dst_len, const uint8_t *nal, size_t n)
{
    if (n > PARAM_MAX)
        return;
    memcpy(dst, nal, n);
    *dst_len = n;
}

rtp_h264_depay *rtp_h264_depay_new(const uint8_t *sps, size_t sps_len, const uint8_t *pps,
                                   size_t pps_len)
{
    rtp_h264_depay *d = g_new0(rtp_h264_depay, 1);
    d->cap = AU_INITIAL_CAP;
    d->buf = g_malloc(d->cap);
    d->wait_idr = 1; /* what comes before the first IDR cannot be decoded */
    if (sps && sps_len)
        remember(d->sps, &d->sps_len, sps, sps_len);
    if (pps && pps_len)
        remember(d->pps, &d->pps_len, pps, pps_len);
    return d;
}

void rtp_h264_depay_free(rtp_h264_depay *d)
{
    if (!d)
        return;
    g_free(d->buf);
    g_free(d);
}

/* ---- AU buffer ---- */

/* Drops the AU being built and everything up to the next IDR; the rest of
 * the packets with timestamp ts belong to the lost AU and are skipped. */
static void lose(rtp_h264_depay *d, uint32_t ts)
{
    d->in_au = 0;
    d->fu_active = 0;
    d->len = 0;
    d->wait_idr = 1;
    d->skipping = 1;
    d->skip_ts = ts;
}

/* Makes room for extra more AU bytes; -1 (and the AU lost) past AU_MAX. */
static int reserve(rtp_h264_depay *d, size_t extra)
{
    if (extra > AU_MAX - d->len) {
        lose(d, d->au_ts);
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

static void start_au(rtp_h264_depay *d, uint32_t ts)
{
    d->in_au = 1;
    d->has = 0;
    d->len = 0;
    d->au_ts = ts;
    d->au_ext = d->ext_ts;
    /* Room to put the remembered parameter sets in front of an IDR. */
    d->head = 8 + d->sps_len + d->pps_len; /* < AU_INITIAL_CAP */
}

/* Notes a complete NAL unit (its bytes at nal) of the AU. */
static void note_nal(rtp_h264_depay *d, const uint8_t *nal, size_t n)
{
    int type = nal[0] & 0x1f;
    if (type >= NAL_SLICE && type <= NAL_IDR)
        d->has |= HAS_VCL;
    if (type == NAL_IDR)
        d->has |= HAS_IDR;
    if (type == NAL_SPS) {
        d->has |= HAS_SPS;
        remember(d->sps, &d->sps_len, nal, n);
    }
    if (type == NAL_PPS) {
        d->has |= HAS_PPS;
        remember(d->pps, &d->pps_len, nal, n);
    }
}

/* Appends one whole NAL unit with its start code. Access unit delimiters
 * are dropped: the AU boundary is the callback, and they would otherwise
 * have to stay in front of the parameter sets we insert. So are types 0 and
 * 24-31, which mean nothing in a byte stream (24-29 are RTP packet types):
 * a camera that nests them would hand the browsers' decoders garbage. */
static int put_nal(rtp_h264_depay *d, const uint8_t *nal, size_t n)
{
    unsigned type = n ? nal[0] & 0x1fu : 0;
    if (type == 0 || type == NAL_AUD || type >= NAL_STAP_A)
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

/* Puts the remembered SPS and PPS in front of the AU; -1 when none are
 * known (the IDR cannot be decoded). Returns the offset of the result. */
static long prepend_parameter_sets(rtp_h264_depay *d)
{
    if (!d->sps_len || !d->pps_len)
        return -1;
    size_t need = 8 + d->sps_len + d->pps_len;
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
    put_start_code(p);
    memcpy(p + 4, d->sps, d->sps_len);
    put_start_code(p + 4 + d->sps_len);
    memcpy(p + 8 + d->sps_len, d->pps, d->pps_len);
    return (long)(d->head - need);
}

/* Ends the AU being built and emits it when it can be decoded. */
static void finish_au(rtp_h264_depay *d, emit_fn emit, void *user)
{
    if (!d->in_au)
        return;
    d->in_au = 0;
    if (d->fu_active) {
        /* Its last NAL unit never ended. */
        d->fu_active = 0;
        d->wait_idr = 1;
        return;
    }
    int idr = (d->has & HAS_IDR) != 0;
    if (!(d->has & HAS_VCL) || (d->wait_idr && !idr))
        return;
    long off = (long)d->head;
    if (idr && (d->has & (HAS_SPS | HAS_PPS)) != (HAS_SPS | HAS_PPS))
        off = prepend_parameter_sets(d);
    if (off < 0)
        return;
    d->wait_idr = 0;
    emit(user, d->buf + off, d->head - (size_t)off + d->len, idr, d->au_ext * 100 / 9);
}

/* ---- payload formats ---- */

/* STAP-A: 16-bit sizes, each followed by a NAL unit. */
static void depay_stap_a(rtp_h264_depay *d, const uint8_t *p, size_t n, uint32_t ts)
{
    p++;
    n--;
    while (n >= 2) {
        size_t size = be16(p);
        p += 2;
        n -= 2;
        if (size > n) {
            lose(d, ts);
            return;
        }
        if (put_nal(d, p, size))
            return;
        p += size;
        n -= size;
    }
}

/* FU-A start: the NAL header rebuilt from the indicator and the FU header. */
static void fu_a_start(rtp_h264_depay *d, const uint8_t *p, size_t n, int type)
{
    if (reserve(d, 5 + n - 2))
        return;
    uint8_t *w = d->buf + d->head + d->len;
    put_start_code(w);
    w[4] = (uint8_t)((p[0] & 0xe0) | type);
    memcpy(w + 5, p + 2, n - 2);
    d->fu_active = 1;
    d->fu_type = type;
    d->fu_start = d->len + 4;
    d->len += 5 + n - 2;
}

static void depay_fu_a(rtp_h264_depay *d, const uint8_t *p, size_t n, uint32_t ts)
{
    if (n < 2)
        return;
    int start = p[1] & 0x80, end = p[1] & 0x40, type = p[1] & 0x1f;
    int broken = start ? d->fu_active : !d->fu_active || type != d->fu_type;
    if (broken) {
        /* A start inside a NAL unit, or a middle without its start. */
        lose(d, ts);
        return;
    }
    if (start) {
        if (type == 0 || type > 23)
            return;
        fu_a_start(d, p, n, type);
    } else {
        if (reserve(d, n - 2))
            return;
        memcpy(d->buf + d->head + d->len, p + 2, n - 2);
        d->len += n - 2;
    }
    if (end && d->fu_active) {
        d->fu_active = 0;
        note_nal(d, d->buf + d->head + d->fu_start, d->len - d->fu_start);
    }
}

static void depay_payload(rtp_h264_depay *d, const uint8_t *p, size_t n, uint32_t ts)
{
    int type = p[0] & 0x1f;
    if (d->fu_active && type != NAL_FU_A) {
        lose(d, ts);
        return;
    }
    if (type >= 1 && type <= 23)
        put_nal(d, p, n);
    else if (type == NAL_STAP_A)
        depay_stap_a(d, p, n, ts);
    else if (type == NAL_FU_A)
        depay_fu_a(d, p, n, ts);
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

/* Whether p begins with an SPS (alone or first in a STAP-A): the first NAL
 * unit of a keyframe's access unit, so nothing of its unit came before. */
static int begins_with_sps(const rtp_packet *p)
{
    if (p->len < 1)
        return 0;
    int type = p->payload[0] & 0x1f;
    if (type == 24)
        return p->len >= 4 && (p->payload[3] & 0x1f) == 7;
    return type == 7;
}

/* Tracks the sequence number (a gap loses the AU) and the timestamp. */
static void track(rtp_h264_depay *d, const rtp_packet *p)
{
    if (d->have_seq && p->seq != d->next_seq) {
        lose(d, p->ts);
        /* A keyframe starting right after the gap is whole: kept, rather
         * than waiting a GOP for the next one. */
        if (begins_with_sps(p) && d->have_ts && p->ts != d->last_ts)
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

int rtp_h264_depay_push(rtp_h264_depay *d, const uint8_t *pkt, size_t len, emit_fn emit, void *user)
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
        depay_payload(d, p.payload, p.len, p.ts);
    if (d->skipping) {
        d->skipping = !p.marker;
        return 0;
    }
    if (p.marker)
        finish_au(d, emit, user);
    return 0;
}
