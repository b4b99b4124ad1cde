/*
 * pantau/testhost_check.h - the main() of a plugin's Check test, one TCase
 * per ctest entry (header only; include after <check.h>, link Check).
 *
 *     int main(int argc, char **argv)
 *     {
 *         const pantau_testhost_tcase tcases[] = {  // START_TEST names: not constants
 *             {"settings", defaults_and_bad_settings},
 *             {"publish", publishes_on_its_timer},
 *         };
 *         return pantau_testhost_run_tcases("hello", tcases, 2, setup, teardown, argc, argv);
 *     }
 *
 * `test_hello settings` runs the TCase "settings"; with no argument every
 * TCase runs. A name that matches nothing fails (no test ran).
 */
#ifndef PANTAU_TESTHOST_CHECK_H
#define PANTAU_TESTHOST_CHECK_H

#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A TCase of one test: its name (a ctest entry's argument) and its test. */
typedef struct pantau_testhost_tcase {
    const char *name;
    const TTest *test;
} pantau_testhost_tcase;

/* Runs, in a suite named suite_name, the tcases (count of them) named by
 * argv[1], or all without it, each with setup and teardown (either may be
 * NULL) as a checked fixture. EXIT_SUCCESS when at least one test ran and
 * none failed, else EXIT_FAILURE. */
static inline int pantau_testhost_run_tcases(const char *suite_name,
                                             const pantau_testhost_tcase *tcases, size_t count,
                                             SFun setup, SFun teardown, int argc, char **argv)
{
    Suite *suite = suite_create(suite_name);
    for (size_t i = 0; i < count; i++) {
        if (argc > 1 && strcmp(argv[1], tcases[i].name) != 0)
            continue;
        TCase *tc = tcase_create(tcases[i].name);
        if (setup || teardown)
            tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, tcases[i].test);
        suite_add_tcase(suite, tc);
    }
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner), ran = srunner_ntests_run(runner);
    srunner_free(runner);
    return failed == 0 && ran > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#ifdef __cplusplus
}
#endif

#endif
