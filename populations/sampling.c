/* Seeded row sampling without replacement (populations/populations.h).
 *
 * Knuth's selection sampling (TAOCP vol. 2, 3.4.2, Algorithm S): walk the candidates once and
 * take each with probability (still needed) / (still left). It yields a uniform subset, already
 * sorted (rows are then read in file order), in O(total) time and no memory beyond the output;
 * gsl_ran_choose does the same but needs the whole candidate array in memory, which for a
 * flattened tensor can be billions of indices. */
#include "populations.h"

#include <stdlib.h>

/* k sorted distinct indices of [0, total) into out[k]. */
static void select_sorted(kvq_rng *rng, size_t total, size_t k, size_t *out)
{
    size_t taken = 0;
    for (size_t i = 0; i < total && taken < k; i++)
        if (kvq_rng_uniform(rng) * (double)(total - i) < (double)(k - taken)) out[taken++] = i;
}

int kvq_sample_rows(kvq_rng *rng, size_t total, size_t n, size_t nq, size_t *rows, size_t *queries,
                    kvq_error *err)
{
    if (n + nq > total || n + nq < n)
        return kvq_fail(err, KVQ_EINVAL, "cannot draw %zu rows and %zu queries from %zu rows", n,
                        nq, total);
    size_t *all = malloc((n + nq) * sizeof *all), *qpos = malloc((nq ? nq : 1) * sizeof *qpos);
    if (!all || !qpos) {
        free(all);
        free(qpos);
        return kvq_fail(err, KVQ_ENOMEM, "out of memory sampling %zu rows", n + nq);
    }
    select_sorted(rng, total, n + nq, all);
    select_sorted(rng, n + nq, nq, qpos); /* which of the drawn rows are held out as queries */
    size_t ir = 0, iq = 0;
    for (size_t i = 0; i < n + nq; i++) {
        if (iq < nq && qpos[iq] == i)
            queries[iq++] = all[i];
        else
            rows[ir++] = all[i];
    }
    free(all);
    free(qpos);
    return KVQ_OK;
}
