/* dch_nut - the NUT (Network UPS Tools) client protocol: the request text,
 * and a parser for the replies of LIST VAR (and GET VAR), OK and ERR lines,
 * fed the bytes received so far. */
#ifndef DCH_NUT_H
#define DCH_NUT_H

#include <stdbool.h>
#include <stddef.h>

/* What the UPS variables say. Numbers are -1 when the UPS does not report them. */
typedef struct dch_ups_state {
    bool online;      /* OL */
    bool on_battery;  /* OB */
    bool low_battery; /* LB */
    double charge;    /* battery.charge, percent */
    double runtime_s; /* battery.runtime, seconds */
    double load;      /* ups.load, percent */
    char status[64];  /* ups.status as reported, e.g. "OL CHRG" */
} dch_ups_state;

enum dch_nut_result {
    DCH_NUT_INCOMPLETE = 0, /* need more bytes */
    DCH_NUT_DONE = 1,       /* END LIST VAR seen (or all GET VAR answered) */
    DCH_NUT_ERROR = -1,     /* ERR reply or malformed; see error */
};

/* The request for one poll: optional USERNAME/PASSWORD (NULL or "" to skip),
 * then LIST VAR <ups>, then LOGOUT. Returns a g_malloc'd string. Contains the
 * password: never log it. */
char *dch_nut_request(const char *ups, const char *username, const char *password);

/* Parses the reply bytes received so far (need not be NUL-terminated). On
 * DONE fills *out; on ERROR sets *error (g_malloc'd, e.g. "UNKNOWN-UPS"). */
enum dch_nut_result dch_nut_parse(const char *buf, size_t len, const char *ups, dch_ups_state *out,
                                  char **error);

/* Reads the flags of an ups.status value ("OB DISCHRG LB") into *out. */
void dch_nut_status_flags(const char *status, dch_ups_state *out);

/* Whether a UPS name or variable is safe to send ([A-Za-z0-9_.-], 1-63). */
bool dch_nut_name_ok(const char *name);

#endif
