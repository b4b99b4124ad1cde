/* fuzz_onvif.c - the ONVIF client's parsers (plugins/cctv/onvif_soap.c) on
 * what a camera answers: the input as a SOAP reply, its body through every
 * reply parser (each must refuse or take any element), and as a
 * WS-Discovery datagram. Everything a parser keeps must be valid UTF-8
 * without control characters, at most ONVIF_TEXT_MAX bytes. */
#include "onvif_soap.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s)
{
    if (!s)
        return;
    if (!g_utf8_validate(s, -1, NULL) || strlen(s) > ONVIF_TEXT_MAX)
        abort();
    for (const char *p = s; *p; p = g_utf8_next_char(p))
        if (g_unichar_iscntrl(g_utf8_get_char(p)))
            abort();
}

static void parse_device(const xmlNode *body)
{
    const char *missing = NULL;
    gint64 t = 0;
    onvif_parse_date_time(body, &t, &missing);
    onvif_capabilities caps;
    if (!onvif_parse_capabilities(body, &caps, &missing)) {
        check_text(caps.media_url);
        onvif_capabilities_clear(&caps);
    }
    onvif_device_info info = {0};
    onvif_parse_device_info(body, &info, &missing);
    check_text(info.manufacturer);
    check_text(info.serial);
    onvif_parse_nodes(body, &info, &missing);
    onvif_device_info_clear(&info);
}

static void parse_media_ptz(const xmlNode *body)
{
    const char *missing = NULL;
    onvif_profiles p;
    if (!onvif_parse_profiles(body, &p, &missing)) {
        for (gsize i = 0; i < p.n; i++) {
            check_text(p.items[i].token);
            check_text(p.items[i].name);
            check_text(p.items[i].encoding);
        }
        onvif_profiles_clear(&p);
    }
    char *s = NULL;
    if (!onvif_parse_stream_uri(body, &s, &missing))
        check_text(s);
    g_free(s);
    s = NULL;
    if (!onvif_parse_set_preset(body, &s, &missing))
        check_text(s);
    g_free(s);
    onvif_ptz_status st;
    onvif_parse_status(body, &st, &missing);
    onvif_presets presets = {0};
    if (!onvif_parse_presets(body, &presets, &missing)) {
        for (gsize i = 0; i < presets.n; i++)
            check_text(presets.items[i].name);
        onvif_presets_clear(&presets);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    onvif_reply r;
    if (onvif_reply_parse((const char *)data, size, &r) == 0) {
        if (r.fault) {
            char *text = onvif_reply_fault_text(&r);
            onvif_reply_is_auth_fault(&r);
            g_free(text);
        } else {
            if (!r.body)
                abort();
            onvif_reply_is(&r, "GetProfiles");
            parse_device(r.body);
            parse_media_ptz(r.body);
        }
        onvif_reply_clear(&r);
    }
    GArray *found = g_array_new(FALSE, TRUE, sizeof(onvif_found));
    onvif_parse_probe_matches((const char *)data, size, "uuid:fuzz", found);
    for (guint i = 0; i < found->len; i++) {
        onvif_found *f = &g_array_index(found, onvif_found, i);
        check_text(f->name);
        check_text(f->xaddr);
        onvif_found_clear(f);
    }
    g_array_free(found, TRUE);
    return 0;
}
