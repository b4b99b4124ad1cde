/* dch_test_run.h - runs the TCase named argv[1] of a Check suite (all of
 * them without an argument): one CTest entry per TCase. */
#ifndef DCH_TEST_RUN_H
#define DCH_TEST_RUN_H

#include <check.h>
#include <stdio.h>

/* Returns the exit status: 0 when every test passed and at least one ran.
 * Frees s. */
static inline int dch_test_run(Suite *s, int argc, char **argv)
{
    SRunner *sr = srunner_create(s);
    srunner_run(sr, NULL, argc > 1 ? argv[1] : NULL, CK_NORMAL);
    int run = srunner_ntests_run(sr);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (run == 0) {
        fprintf(stderr, "no test ran (unknown TCase '%s'?)\n", argc > 1 ? argv[1] : "");
        return 1;
    }
    return failed ? 1 : 0;
}

#endif
