/* The progress line on stderr: cells done / total, the cell just started, ETA. Drawn only when
 * stderr is a terminal and --quiet is off; callers serialise the calls. */
#ifndef KVQ_PROGRESS_H
#define KVQ_PROGRESS_H

#include <stddef.h>
#include <time.h>

typedef struct kvq_progress {
    int enabled;
    size_t total, done, at_start;
    struct timespec t0;
} kvq_progress;

/* total cells, of which already_done were finished before (a resumed run). */
void kvq_progress_start(kvq_progress *p, size_t total, size_t already_done, int wanted);

/* A cell starts (label) or ends (label NULL: one more done). */
void kvq_progress_update(kvq_progress *p, const char *label);

/* Clears the line. */
void kvq_progress_finish(kvq_progress *p);

#endif
