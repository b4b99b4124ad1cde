/* slides - still slides for the parts of a talk that are not live: `image`
 * (a PNG or JPEG from the slides folder the server serves at /slides/) and
 * `text` (a title and bullets, English and/or Bahasa Indonesia, in the
 * settings or in a JSON file of the slides folder). Each source publishes
 * what its web component draws; nothing is polled, nothing blocks. */
#include "slides_spec.h"

#include <pantau/plugin.h>

#include <stdlib.h>

static const pantau_host *host;

typedef json_t *(*slide_reader)(const json_t *settings, char **error);

typedef struct slide {
    pantau_source *source;
    slide_reader read;
    json_t *data; /* what the component draws; owned */
} slide;

static json_t *image_defaults(void)
{
    return json_pack("{s:s, s:s}", "file", "", "fit", "contain");
}

static json_t *text_defaults(void)
{
    return json_pack("{s:s, s:[]}", "title", "", "bullets");
}

static json_t *image_schema(void)
{
    return json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s, s:[ss]}, s:{s:s}}}", "type", "object",
                     "properties", "file", "type", "string", "title",
                     "Image in the slides folder (PNG or JPEG)", "fit", "type", "string", "title",
                     "Fit", "enum", "contain", "cover", "title", "title",
                     "Caption (text or {en, id})");
}

static json_t *text_schema(void)
{
    return json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:s, s:s}}}", "type",
                     "object", "properties", "title", "title", "Title (text or {en, id})",
                     "subtitle", "title", "Subtitle", "bullets", "type", "array", "title",
                     "Bullets (text or {en, id} each)", "footer", "title", "Footer", "file", "type",
                     "string", "title", "Or: a JSON slide file in the slides folder");
}

/* Reads settings into s; on failure sets *error and leaves s as it was. */
static int slide_apply(slide *s, const json_t *settings, char **error)
{
    json_t *data = s->read(settings, error);
    if (!data)
        return -1;
    json_decref(s->data);
    s->data = data;
    return 0;
}

static void *slide_create(pantau_source *source, const json_t *settings, char **error,
                          slide_reader read)
{
    slide *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->source = source;
    s->read = read;
    if (slide_apply(s, settings, error)) {
        free(s);
        return NULL;
    }
    host->set_status(source, PANTAU_STATUS_LIVE, NULL);
    return s;
}

/* check() of a slide type: reads the slide (its file too) and drops it. */
static int slide_check(const json_t *settings, char **error, slide_reader read)
{
    json_t *data = read(settings, error);
    json_decref(data);
    return data ? 0 : -1;
}

static int image_check(const json_t *settings, char **error)
{
    return slide_check(settings, error, slides_image_data);
}

static int text_check(const json_t *settings, char **error)
{
    return slide_check(settings, error, slides_text_data);
}

static void *image_create(pantau_source *source, const json_t *settings, char **error)
{
    return slide_create(source, settings, error, slides_image_data);
}

static void *text_create(pantau_source *source, const json_t *settings, char **error)
{
    return slide_create(source, settings, error, slides_text_data);
}

static void slide_start(void *instance)
{
    slide *s = instance;
    host->publish(s->source, s->data);
}

static int slide_update(void *instance, const json_t *settings, char **error)
{
    slide *s = instance;
    if (slide_apply(s, settings, error))
        return -1;
    host->publish(s->source, s->data);
    return 0;
}

static void slide_destroy(void *instance)
{
    slide *s = instance;
    json_decref(s->data);
    free(s);
}

static const pantau_source_type image_type = {
    .size = sizeof(pantau_source_type),
    .id = "image",
    .kind = "slide",
    .display_name = "Image slide",
    .web_module = "slides.js",
    .defaults = image_defaults,
    .schema = image_schema,
    .create = image_create,
    .check = image_check,
    .destroy = slide_destroy,
    .update = slide_update,
    .start = slide_start,
};

static const pantau_source_type text_type = {
    .size = sizeof(pantau_source_type),
    .id = "text",
    .kind = "slide",
    .display_name = "Title and bullets slide",
    .web_module = "slides.js",
    .defaults = text_defaults,
    .schema = text_schema,
    .create = text_create,
    .check = text_check,
    .destroy = slide_destroy,
    .update = slide_update,
    .start = slide_start,
};

static int slides_load(const pantau_host *h)
{
    host = h;
    if (h->register_source_type(h, &image_type, sizeof image_type))
        return -1;
    return h->register_source_type(h, &text_type, sizeof text_type);
}

static void slides_unload(void)
{
    host = NULL;
}

PANTAU_PLUGIN_DEFINE("slides", "1.0.0", "Image and title/bullet slides for presentations",
                     slides_load, slides_unload)
