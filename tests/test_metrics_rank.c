/* Correlation and ranking against scipy/numpy (tests/golden/gen_metrics.py): Pearson, Spearman
 * (average ranks), Kendall tau-b on data with many ties and degenerate data; top-k order with ties;
 * the blocked sgemm top-k against a direct computation; recall and top-1 agreement; the float path
 * of Spearman and Kendall against the double one, bit for bit. */
#include "kvq/metrics.h"
#include "test_metrics_golden.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Every case of golden[name]["corr"]: Pearson, Spearman and, where the file has it, Kendall. */
static void check_correlations(const char *file, size_t expected)
{
    cJSON *g = kvq_test_golden(file);
    const cJSON *c;
    size_t count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(g, "corr"))
    {
        size_t n, ny;
        double *x = kvq_test_doubles(cJSON_GetObjectItem(c, "x"), &n);
        double *y = kvq_test_doubles(cJSON_GetObjectItem(c, "y"), &ny);
        cr_assert_eq(n, ny);
        double *work = malloc((3 * n + 1) * sizeof *work);
        const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
        golden_expect(kvq_pearson(x, y, n), c, "pearson", name);
        golden_expect(kvq_spearman(x, y, n, work), c, "spearman", name);
        if (cJSON_HasObjectItem(c, "kendall_tau_b"))
            golden_expect(kvq_kendall_tau_b(x, y, n, work), c, "kendall_tau_b", name);
        free(x), free(y), free(work);
        count++;
    }
    cr_assert_eq(count, expected, "%s: %zu correlation cases", file, count);
    cJSON_Delete(g);
}

Test(metrics_rank, correlations_match_scipy)
{
    check_correlations("metrics_scipy.json", 8);
    check_correlations("foundation.json", 3);
}

Test(metrics_rank, undefined_is_nan)
{
    double x[3] = {1, 2, 3}, bad[3] = {1, NAN, 3}, work[10];
    cr_assert(isnan(kvq_kendall_tau_b(x, x, 1, work)));
    cr_assert(isnan(kvq_kendall_tau_b(x, bad, 3, work)));
    cr_assert(isnan(kvq_spearman(bad, x, 3, work)));
    cr_assert(isnan(kvq_pearson(x, bad, 3)));
    cr_assert(isnan(kvq_top1_agree(NULL, NULL, 0)));
}

Test(metrics_rank, top_k_matches_stable_argsort)
{
    cJSON *g = kvq_test_golden("metrics_scipy.json");
    const cJSON *c;
    size_t count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(g, "topk"))
    {
        size_t n, k = (size_t)kvq_test_num(c, "k"), nk;
        double *s = kvq_test_doubles(cJSON_GetObjectItem(c, "scores"), &n);
        double *want = kvq_test_doubles(cJSON_GetObjectItem(c, "top"), &nk);
        cr_assert_eq(nk, k);
        float *sf = malloc(n * sizeof *sf);
        size_t *top = malloc(k * sizeof *top);
        for (size_t i = 0; i < n; i++) sf[i] = (float)s[i];
        kvq_top_k(sf, n, k, top);
        for (size_t i = 0; i < k; i++)
            cr_assert_eq(top[i], (size_t)want[i], "case %zu rank %zu: %zu vs %g", count, i, top[i],
                         want[i]);
        cr_assert_eq(kvq_argmax(sf, n), (size_t)want[0]);
        free(s), free(want), free(sf), free(top);
        count++;
    }
    cr_assert_eq(count, 9);
    cJSON_Delete(g);
}

/* The blocked sgemm selection equals selecting from scores computed one dot product at a time
 * (in double, so exact float scores are not at issue: the data are small integers). */
Test(metrics_rank, top_k_inner_equals_direct)
{
    const size_t nq = 7, n = 300, dim = 5, k = 10;
    float *q = malloc(nq * dim * sizeof *q), *x = malloc(n * dim * sizeof *x);
    kvq_rng rng;
    kvq_rng_seed(&rng, 11, 3);
    for (size_t i = 0; i < nq * dim; i++) q[i] = (float)kvq_rng_bounded(&rng, 7) - 3.0f;
    for (size_t i = 0; i < n * dim; i++) x[i] = (float)kvq_rng_bounded(&rng, 5) - 2.0f;
    size_t *top = malloc(nq * k * sizeof *top), want[10];
    float *s = malloc(n * sizeof *s);
    kvq_error err;
    cr_assert_eq(kvq_top_k_inner(q, nq, x, n, dim, k, top, &err), 0, "%s", err.msg);
    for (size_t i = 0; i < nq; i++) {
        for (size_t j = 0; j < n; j++) {
            double d = 0.0;
            for (size_t t = 0; t < dim; t++) d += (double)q[i * dim + t] * x[j * dim + t];
            s[j] = (float)d;
        }
        kvq_top_k(s, n, k, want);
        for (size_t r = 0; r < k; r++) cr_assert_eq(top[i * k + r], want[r], "query %zu", i);
    }
    cr_assert_eq(kvq_top_k_inner(q, nq, x, n, dim, n + 1, top, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "k = 301") != NULL, "%s", err.msg);
    free(q), free(x), free(top), free(s);
}

Test(metrics_rank, overlap_and_top1)
{
    size_t a[4] = {9, 2, 7, 4}, b[4] = {4, 5, 9, 1};
    cr_assert_eq(kvq_top_k_overlap(a, b, 4), 0.5);
    const float est[4] = {1, 5, 5, 0}, exact[4] = {0, 1, 9, 0};
    cr_assert_eq(kvq_top1_agree(est, exact, 4), 0.0); /* est's tie goes to index 1 */
    cr_assert_eq(kvq_top1_agree(exact, exact, 4), 1.0);
}

/* The float path of a cell (kvq_rank_correlations_f, kvq_spearman_f, and with x ranked once
 * kvq_rank_correlations_ranked_f) gives the doubles of kvq_spearman and kvq_kendall_tau_b bit for
 * bit: random vectors with many ties (kinds 0 and 1: long runs of equal y), -0 and +0, a constant
 * vector (NaN both ways, kind 2), y in short runs of ties with x in long ones (kind 3), and y
 * almost without ties (kind 4), at sizes from 2 to 600,000: both ways of counting Kendall's
 * discordant pairs (below 256 and above 4096 ranks, and between), and Spearman's sums past about
 * 300,000 rows, where they round and so the order of their terms matters. */
Test(metrics_rank, float_path_equals_double_path)
{
    uint64_t state = 20261201;
    static const size_t sizes[] = {2, 3, 7, 64, 255, 256, 257, 1000, 4096, 4097, 5000, 600000};
    for (size_t c = 0; c < sizeof sizes / sizeof *sizes; c++)
        for (int kind = 0; kind < 5; kind++) {
            size_t n = sizes[c];
            float *xf = malloc(n * sizeof *xf), *yf = malloc(n * sizeof *yf);
            double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
            double *work = malloc((3 * n + 1) * sizeof *work);
            void *fwork = malloc(KVQ_RANK_CORRELATIONS_WORK(n));
            for (size_t i = 0; i < n; i++) {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                int a = (int)(state >> 40) % 17 - 8, b = (int)(state >> 20) % 5 - 2;
                xf[i] = kind == 2 ? 1.0f : a == 0 && (i & 1) ? -0.0f : (float)a * 0.25f; /* ties */
                yf[i] = kind == 0 ? (float)(a + b) : -(float)a * 0.25f + (float)b * 1e-3f;
                if (kind >= 3) /* y: about two rows a value, or hardly a tie */
                    yf[i] = (float)((state >> 24) % (kind == 3 ? n / 2 + 1 : 1u << 24));
                x[i] = xf[i], y[i] = yf[i];
            }
            double rho, tau;
            kvq_rank_correlations_f(xf, yf, n, fwork, &rho, &tau);
            double want_rho = kvq_spearman(x, y, n, work);
            double want_tau = kvq_kendall_tau_b(x, y, n, work);
            double alone = kvq_spearman_f(xf, yf, n, fwork);
            void *ranks_once = malloc(KVQ_RANKS_OF_BYTES(n));
            kvq_ranks_of_f(xf, n, ranks_once);
            double alone_ranked = kvq_spearman_ranked_f(ranks_once, yf, n, fwork);
            free(ranks_once);
            cr_assert(isnan(alone) ? isnan(alone_ranked) : alone_ranked == alone,
                      "n %zu kind %d: Spearman with x ranked once %.17g, alone %.17g", n, kind,
                      alone_ranked, alone);
            void *ranks_x = malloc(KVQ_RANKS_OF_BYTES(n));
            double rho_r, tau_r;
            kvq_ranks_of_f(xf, n, ranks_x);
            kvq_rank_correlations_ranked_f(ranks_x, yf, n, fwork, &rho_r, &tau_r);
            free(ranks_x);
            cr_assert((isnan(rho) ? isnan(rho_r) : rho_r == rho) &&
                          (isnan(tau) ? isnan(tau_r) : tau_r == tau),
                      "n %zu kind %d: x ranked once gives %.17g %.17g, not %.17g %.17g", n, kind,
                      rho_r, tau_r, rho, tau);
            if (isnan(want_rho)) {
                cr_assert(isnan(rho) && isnan(alone), "n %zu kind %d: rho %g", n, kind, rho);
            } else {
                cr_assert(rho == want_rho && alone == want_rho, "n %zu kind %d: %.17g %.17g %.17g",
                          n, kind, rho, alone, want_rho);
            }
            if (isnan(want_tau))
                cr_assert(isnan(tau), "n %zu kind %d: tau %g", n, kind, tau);
            else
                cr_assert(tau == want_tau, "n %zu kind %d: %.17g %.17g", n, kind, tau, want_tau);
            free(xf), free(yf), free(x), free(y), free(work), free(fwork);
        }
}

/* The top k read from the rank correlations' sort of y equal kvq_top_k's, in its order, for ties,
 * -0 and +0, every k; the k-th value is the k-th best; and nothing is read when y was not sorted
 * (x constant, y not finite), even right after a call that did sort. */
Test(metrics_rank, sorted_top_k_equals_top_k)
{
    uint64_t state = 20261202;
    static const size_t sizes[] = {1, 2, 9, 100, 4096};
    for (size_t c = 0; c < sizeof sizes / sizeof *sizes; c++) {
        size_t n = sizes[c];
        float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *flat = malloc(n * sizeof *y);
        size_t *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
        void *work = malloc(KVQ_RANK_CORRELATIONS_WORK(n)),
             *ranks_x = malloc(KVQ_RANKS_OF_BYTES(n));
        for (size_t i = 0; i < n; i++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            int a = (int)(state >> 40) % 9 - 4;
            x[i] = (float)i;
            y[i] = a == 0 ? ((i & 1) ? -0.0f : 0.0f) : (float)a * 0.5f; /* ties, both zeros */
            flat[i] = 2.0f;
        }
        kvq_ranks_of_f(x, n, ranks_x);
        for (int ranked = 0; ranked < 2; ranked++) {
            double rho, tau;
            if (ranked)
                kvq_rank_correlations_ranked_f(ranks_x, y, n, work, &rho, &tau);
            else
                kvq_rank_correlations_f(x, y, n, work, &rho, &tau);
            for (size_t k = 1; k <= n; k += 1 + k / 3) {
                float kth = NAN;
                int sorted = kvq_sorted_top_k(work, y, n, k, got, &kth);
                cr_assert_eq(sorted, n >= 2, "n %zu: y is sorted once n >= 2", n);
                if (!sorted) continue;
                kvq_top_k(y, n, k, want);
                for (size_t i = 0; i < k; i++)
                    cr_assert_eq(got[i], want[i], "n %zu k %zu place %zu (ranked %d)", n, k, i,
                                 ranked);
                cr_assert(kth == y[want[k - 1]], "n %zu k %zu: kth %g", n, k, kth);
            }
        }
        float kth = NAN;
        double rho, tau;
        kvq_rank_correlations_f(flat, y, n, work, &rho, &tau); /* x constant: y is not sorted */
        cr_assert_eq(kvq_sorted_top_k(work, y, n, 1, got, &kth), 0, "n %zu", n);
        kvq_rank_correlations_f(x, y, n, work, &rho, &tau);
        y[0] = NAN;
        kvq_rank_correlations_f(x, y, n, work, &rho, &tau);
        cr_assert_eq(kvq_sorted_top_k(work, y, n, 1, got, &kth), 0, "n %zu: NaN", n);
        cr_assert(isnan(kth));
        free(x), free(y), free(flat), free(want), free(got), free(work), free(ranks_x);
    }
}
