/* pt_check.h - runs the Check TCase named argv[1] (all without one). */
#ifndef PANTAU_PLUGIN_PT_CHECK_H
#define PANTAU_PLUGIN_PT_CHECK_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* Runs s (freed), only TCase argv[1] if given; exit status 0 when at least
 * one test ran and none failed. */
static inline int pt_check_run(Suite *s, int argc, char **argv)
{
    SRunner *sr = srunner_create(s);
    srunner_run(sr, NULL, argc > 1 ? argv[1] : NULL, CK_NORMAL);
    int run = srunner_ntests_run(sr);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (run == 0)
        fprintf(stderr, "no test ran (unknown TCase '%s'?)\n", argc > 1 ? argv[1] : "");
    return run > 0 && failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
