/* test_slides_spec.c - slide settings: which files the server may serve,
 * bilingual texts, and the data image and text sources publish. */
#include "slides_spec.h"

#include "../../common/tests/pt_check.h"

#include <string.h>

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    ck_assert_msg(v != NULL, "bad test JSON: %s", e.text);
    return v;
}

static const char *const images[] = {".png", ".jpg", ".jpeg", NULL};

START_TEST(files)
{
    ck_assert(slides_file_ok("city.png", images));
    ck_assert(slides_file_ok("2026/map-v2.JPG", images));
    ck_assert(slides_file_ok("a_b.jpeg", images));
    const char *bad[] = {"",         "/etc/x.png", "../x.png", "a/../x.png", "./x.png",
                         "a//x.png", "x.gif",      "x.png/",   "a b.png",    "x%2e.png",
                         "a\\x.png", ".png",       "x.pngx",   "a/./b.png"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!slides_file_ok(bad[i], images), "'%s' is refused", bad[i]);
    ck_assert(!slides_file_ok(NULL, images));
}
END_TEST

START_TEST(texts)
{
    const char *good[] = {"\"x\"", "\"\"", "{\"en\": \"a\"}", "{\"en\": \"a\", \"id\": \"b\"}"};
    const char *bad[] = {"1", "null", "{}", "{\"fr\": \"a\"}", "{\"en\": 1}", "[\"a\"]"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        json_t *v = parse(good[i]);
        ck_assert_msg(slides_text_ok(v), "%s is a text", good[i]);
        json_decref(v);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *v = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        ck_assert_msg(!slides_text_ok(v), "%s is not a text", bad[i]);
        json_decref(v);
    }
}
END_TEST

START_TEST(image)
{
    char *error = NULL;
    json_t *s =
        parse("{\"file\": \"maps/city.png\", \"title\": {\"en\": \"Map\", \"id\": \"Peta\"}}");
    json_t *d = slides_image_data(s, &error);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(json_string_value(json_object_get(d, "url")), "/slides/maps/city.png");
    ck_assert_str_eq(json_string_value(json_object_get(d, "fit")), "contain");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "title"), "id")), "Peta");
    json_decref(d);
    json_decref(s);
    const char *bad[] = {"{\"file\": \"../secret.png\"}", "{\"file\": \"x.svg\"}", "{}",
                         "{\"file\": \"x.png\", \"fit\": \"stretch\"}",
                         "{\"file\": \"x.png\", \"title\": 3}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        s = parse(bad[i]);
        ck_assert_ptr_null(slides_image_data(s, &error));
        ck_assert_ptr_nonnull(error);
        free(error);
        error = NULL;
        json_decref(s);
    }
}
END_TEST

START_TEST(text)
{
    char *error = NULL;
    json_t *s = parse("{\"title\": {\"en\": \"Rules\", \"id\": \"Regulasi\"},"
                      " \"bullets\": [\"Perda 1/2024\", {\"en\": \"ICT plan\"}]}");
    json_t *d = slides_text_data(s, &error);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(json_string_value(json_object_get(d, "type")), "text");
    ck_assert_int_eq(json_array_size(json_object_get(d, "bullets")), 2);
    json_decref(d);
    json_decref(s);
    s = parse("{\"file\": \"vision.json\"}");
    d = slides_text_data(s, &error);
    ck_assert_str_eq(json_string_value(json_object_get(d, "url")), "/slides/vision.json");
    json_decref(d);
    json_decref(s);
    const char *bad[] = {"{}", "{\"title\": \"x\", \"bullets\": \"y\"}", "{\"file\": \"x.png\"}",
                         "{\"title\": \"x\", \"bullets\": [1]}",
                         "{\"title\": \"x\", \"footer\": []}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        s = parse(bad[i]);
        ck_assert_msg(slides_text_data(s, &error) == NULL, "%s is refused", bad[i]);
        free(error);
        error = NULL;
        json_decref(s);
    }
}
END_TEST

static Suite *slides_suite(void)
{
    Suite *s = suite_create("slides_spec");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {{"files", files}, {"texts", texts}, {"image", image}, {"text", text}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(int argc, char **argv)
{
    return pt_check_run(slides_suite(), argc, argv);
}
