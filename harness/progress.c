/* The progress line (harness/progress.h). */
#include "harness/progress.h"
#include "kvq/text.h"

#include <stdio.h>
#include <unistd.h>

void kvq_progress_start(kvq_progress *p, size_t total, size_t already_done, int wanted)
{
    p->enabled = wanted && isatty(fileno(stderr));
    p->total = total;
    p->done = already_done;
    p->at_start = already_done;
    clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

static void format_eta(char *buf, size_t size, double seconds)
{
    if (seconds < 0)
        snprintf(buf, size, "--");
    else if (seconds < 60)
        snprintf(buf, size, "%.0fs", seconds);
    else if (seconds < 3600)
        snprintf(buf, size, "%ldm%02lds", (long)seconds / 60, (long)seconds % 60);
    else
        snprintf(buf, size, "%.1fh", seconds / 3600);
}

void kvq_progress_update(kvq_progress *p, const char *label)
{
    if (!label) p->done++;
    if (!p->enabled) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double elapsed =
        (double)(now.tv_sec - p->t0.tv_sec) + 1e-9 * (double)(now.tv_nsec - p->t0.tv_nsec);
    size_t fresh = p->done - p->at_start;
    char eta[32];
    format_eta(eta, sizeof eta,
               fresh ? elapsed / (double)fresh * (double)(p->total - p->done) : -1.0);
    char shown[256];
    kvq_text_escape(shown, sizeof shown, label ? label : "");
    fprintf(stderr, "\r\033[K[%zu/%zu] %3.0f%%  ETA %s  %.60s", p->done, p->total,
            p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, eta, shown);
    fflush(stderr);
}

void kvq_progress_finish(kvq_progress *p)
{
    if (!p->enabled) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
}
