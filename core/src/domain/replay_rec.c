/* replay_rec.c - replay's reader over the recordings: the access units of
 * rec_reader, and the span and gaps of the index. */
#include "replay_rec.h"

#include "media_frame.h"

static void *rec_open(void *user, const char *source_id, int64_t at_ms, pantau_error *err)
{
    if (!user)
        return error_set(err, ERR_NOT_FOUND, "at_ms", "nothing is recorded"), NULL;
    return rec_reader_open(user, source_id, at_ms, err);
}

static int rec_next(void *reader, uint8_t **au, size_t *len, int64_t *time_us, bool *h265)
{
    unsigned flags = 0;
    int rc = rec_reader_next(reader, au, len, time_us, &flags);
    *h265 = (flags & MEDIA_FLAG_H265) != 0;
    return rc;
}

static void rec_close(void *reader)
{
    rec_reader_free(reader);
}

/* The holes of at least REPLAY_GAP_MIN_MS between source_id's segments,
 * the newest REPLAY_GAPS_MAX, oldest first. New reference. */
static json_t *gaps_of(recordings *r, const char *source_id, int64_t oldest, int64_t newest)
{
    GPtrArray *segments = recordings_segments(r, source_id, oldest, newest);
    json_t *gaps = json_array();
    for (guint i = 1; i < segments->len; i++) {
        const rec_segment *a = g_ptr_array_index(segments, i - 1);
        const rec_segment *b = g_ptr_array_index(segments, i);
        if (b->start_ms - a->end_ms >= REPLAY_GAP_MIN_MS)
            json_array_append_new(
                gaps, json_pack("[I, I]", (json_int_t)a->end_ms, (json_int_t)b->start_ms));
    }
    g_ptr_array_free(segments, TRUE);
    while (json_array_size(gaps) > REPLAY_GAPS_MAX)
        json_array_remove(gaps, 0);
    return gaps;
}

static bool rec_span(void *user, const char *source_id, int64_t *oldest_ms, int64_t *newest_ms,
                     json_t **gaps)
{
    if (!user || !recordings_span(user, source_id, oldest_ms, newest_ms))
        return false;
    if (gaps)
        *gaps = gaps_of(user, source_id, *oldest_ms, *newest_ms);
    return true;
}

replay_reader_fns replay_rec_reader(recordings *r)
{
    return (replay_reader_fns){rec_open, rec_next, rec_close, rec_span, r};
}
