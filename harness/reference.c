/* Per-population reference data (harness/reference.h). */
#include "harness/reference.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* S = Q X^T in double with CBLAS dgemm, rounded once to float, so that a codec computing the same
 * inner products exactly (passthrough) reproduces them bit for bit whatever its summation order. */
static float *exact_scores(const kvq_population *pop, kvq_error *err)
{
    size_t n = pop->n, nq = pop->nq, dim = pop->dim;
    double *x = malloc(n * dim * sizeof *x), *q = malloc(nq * dim * sizeof *q);
    double *s = malloc(nq * n * sizeof *s);
    float *out = malloc(nq * n * sizeof *out);
    if (!x || !q || !s || !out) {
        kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory for %zu x %zu exact scores",
                 pop->name, nq, n);
        free(out);
        out = NULL;
        goto done;
    }
    for (size_t i = 0; i < n * dim; i++) x[i] = pop->rows[i];
    for (size_t i = 0; i < nq * dim; i++) q[i] = pop->queries[i];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nq, (int)n, (int)dim, 1.0, q,
                (int)dim, x, (int)dim, 0.0, s, (int)n);
    for (size_t i = 0; i < nq * n; i++) out[i] = (float)s[i];
done:
    free(x);
    free(q);
    free(s);
    return out;
}

double kvq_reference_bytes(const kvq_population *pop)
{
    double n = (double)pop->n, nq = (double)pop->nq, dim = (double)pop->dim;
    return (n + nq) * dim * sizeof(double) + nq * n * (sizeof(double) + sizeof(float));
}

int kvq_in_top_k(const float *scores, size_t n, size_t r, size_t k)
{
    size_t above = 0;
    for (size_t i = 0; i < n && above < k; i++)
        above += scores[i] > scores[r] || (scores[i] == scores[r] && i < r);
    return above < k;
}

int kvq_reference_build(kvq_reference *ref, const kvq_population *pop, uint64_t run_seed,
                        kvq_error *err)
{
    memset(ref, 0, sizeof *ref);
    ref->pop = pop;
    ref->exact = exact_scores(pop, err);
    if (!ref->exact) return KVQ_ENOMEM;
    size_t ns = KVQ_SUBJECTS;
    ref->nsubjects = ns;
    ref->top_k = pop->n / 10 ? pop->n / 10 : 1;
    ref->subject_query = malloc(ns * sizeof *ref->subject_query);
    ref->subject_row = malloc(ns * sizeof *ref->subject_row);
    ref->subject_exact = malloc(ns * sizeof *ref->subject_exact);
    ref->subject_top = malloc(ns * sizeof *ref->subject_top);
    if (!ref->subject_query || !ref->subject_row || !ref->subject_exact || !ref->subject_top) {
        kvq_reference_free(ref);
        return kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory for subjects", pop->name);
    }
    char label[KVQ_TEXT_MAX + 16];
    snprintf(label, sizeof label, "subjects|%s", pop->name);
    kvq_rng rng;
    kvq_rng_derive(&rng, run_seed, label);
    for (size_t s = 0; s < ns; s++) {
        size_t q = s % pop->nq;
        uint32_t r = kvq_rng_bounded(&rng, (uint32_t)pop->n);
        const float *scores = ref->exact + q * pop->n;
        ref->subject_query[s] = (uint32_t)q;
        ref->subject_row[s] = r;
        ref->subject_exact[s] = scores[r];
        ref->subject_top[s] = (uint8_t)kvq_in_top_k(scores, pop->n, r, ref->top_k);
    }
    return KVQ_OK;
}

void kvq_reference_free(kvq_reference *ref)
{
    free(ref->exact);
    free(ref->subject_query);
    free(ref->subject_row);
    free(ref->subject_exact);
    free(ref->subject_top);
    memset(ref, 0, sizeof *ref);
}
