/* disk_writer.h - durable writes off the main loop: ONE writer thread runs
 * jobs in the order they were submitted, and each job's completion then
 * runs on the main loop, in that same order. A job's data holds copies of
 * what it writes, never a pointer into live state: the thread touches
 * nothing else (docs/reliability.md, "Slow disk"). */
#ifndef PANTAU_DISK_WRITER_H
#define PANTAU_DISK_WRITER_H

#include <glib.h>

typedef struct disk_writer disk_writer;

/* Runs on the writer thread: the job's I/O. Returns 0, or an errno value. */
typedef int (*disk_job_run)(void *data);

/* Runs on the main loop after run (status: its return) and after the
 * completions of every earlier job. Frees data. */
typedef void (*disk_job_done)(void *data, int status);

/* Starts the writer thread; completions run on context (NULL: the default
 * main context). */
disk_writer *disk_writer_new(GMainContext *context);

/* Queues a job. run NULL makes a fence: no I/O, its done runs once every
 * earlier job's done has run (status 0). Without a writer (w NULL, as in
 * unit tests) the job runs at once, synchronously, done included. */
void disk_writer_submit(disk_writer *w, disk_job_run run, disk_job_done done, void *data);

/* Waits until every job submitted so far has run, and runs their
 * completions now. Blocks: for shutdown and tests only. */
void disk_writer_flush(disk_writer *w);

/* Flushes, then stops the thread. */
void disk_writer_free(disk_writer *w);

#endif
