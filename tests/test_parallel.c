/* The parallel loops (harness/parallel.h): every job runs once whatever the thread count, and of
 * jobs that fail, the first in index order is the one reported. */
#include "harness/parallel.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

enum { JOBS = 40 };

/* Counts its runs; jobs 7, 23 and 31 fail, each with its own status and message. */
static int job(size_t i, void *ctx, kvq_error *err)
{
    int *runs = ctx;
    __atomic_add_fetch(&runs[i], 1, __ATOMIC_RELAXED);
    if (i == 7 || i == 23 || i == 31)
        return kvq_fail(err, i == 7 ? KVQ_ERANGE : KVQ_EINVAL, "job %zu failed", i);
    return KVQ_OK;
}

static int fine(size_t i, void *ctx, kvq_error *err)
{
    (void)i, (void)ctx, (void)err;
    return KVQ_OK;
}

Test(parallel, the_first_failure_in_order_is_reported_and_every_job_runs)
{
    for (int threads = 1; threads <= 8; threads *= 2) {
        int runs[JOBS] = {0};
        kvq_error err;
        cr_assert_eq(kvq_parallel_try(JOBS, threads, job, runs, &err), KVQ_ERANGE);
        cr_assert_str_eq(err.msg, "job 7 failed", "%d threads", threads);
        for (size_t i = 0; i < JOBS; i++)
            cr_assert_eq(runs[i], 1, "job %zu, %d threads", i, threads);
        cr_assert_eq(kvq_parallel_try(JOBS, threads, fine, NULL, &err), KVQ_OK);
    }
}
