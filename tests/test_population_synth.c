/* The synthetic populations show the statistics of the real tensors of their role, measured by
 * kvq_row_stats_compute, which is itself checked against numpy on two fixed matrices
 * (tests/golden/gen_populations.py). The ranges are not the generators' claims: they are read
 * from tests/golden/real_stats.json, the statistics of the shipped models/stories260K and the
 * research's production figures (tests/golden/gen_real_stats.py). */
#include "kvq/population.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void expect_close(double got, double want, const char *what)
{
    cr_assert(fabs(got - want) <= 1e-6 * fmax(1.0, fabs(want)), "%s: %.12g, numpy %.12g", what, got,
              want);
}

static void expect_golden_stats(const char *rows_key, const char *stats_key, int skew)
{
    cJSON *golden = kvq_test_golden("populations/populations.json");
    size_t n;
    double *bits = kvq_test_doubles(cJSON_GetObjectItemCaseSensitive(golden, rows_key), &n);
    float *rows = malloc(n * sizeof *rows);
    static const float channel[8] = {1, 1, 1, 1, 1, 1, 4, 0.25f};
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)bits[i];
        memcpy(&rows[i], &u, sizeof u);
        if (skew) rows[i] *= channel[i % 8] * (i / 8 == 3 ? 10.0f : 1.0f);
    }
    kvq_row_stats s;
    kvq_error err;
    cr_assert_eq(kvq_row_stats_compute(rows, n / 8, 8, &s, &err), KVQ_OK, "%s", err.msg);
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(golden, stats_key);
    expect_close(s.norm_cv, kvq_test_num(want, "norm_cv"), "norm_cv");
    expect_close(s.norm_max_ratio, kvq_test_num(want, "norm_max_ratio"), "norm_max_ratio");
    expect_close(s.mean_abs_cos, kvq_test_num(want, "mean_abs_cos"), "mean_abs_cos");
    expect_close(s.kurtosis, kvq_test_num(want, "kurtosis"), "kurtosis");
    expect_close(s.eff_rank, kvq_test_num(want, "eff_rank"), "eff_rank");
    free(rows);
    free(bits);
    cJSON_Delete(golden);
}

Test(population_synth, stats_match_numpy)
{
    gsl_set_error_handler_off();
    expect_golden_stats("keys_v1_bits", "stats_plain", 0);
    expect_golden_stats("keys_v1_bits", "stats_skewed", 1);
}

static kvq_row_stats measure(const char *spec, kvq_population *pop)
{
    kvq_error err;
    cr_assert_eq(kvq_population_load(pop, spec, 1, &err), KVQ_OK, "%s", err.msg);
    kvq_row_stats s;
    cr_assert_eq(kvq_row_stats_compute(pop->rows, pop->n, pop->dim, &s, &err), KVQ_OK, "%s",
                 err.msg);
    cr_log_info("%-40s %zu x %zu: norm_cv %.3f max/median %.2f mean|cos| %.3f kurtosis %.2f "
                "eff_rank %.1f",
                spec, pop->n, pop->dim, s.norm_cv, s.norm_max_ratio, s.mean_abs_cos, s.kurtosis,
                s.eff_rank);
    return s;
}

/* The statistic of real_stats.json called key for rows s of the population's shape: the five
 * of kvq_row_stats, and the shape-free forms the script defines: cos_vs_null, mean |cos| over
 * that of i.i.d. Gaussian rows, sqrt(2 / (pi dim)); eff_rank_vs_null, the effective rank over
 * that of Gaussian rows of the same shape (null_eff_rank, measured). */
static double statistic(const kvq_row_stats *s, const char *key, size_t dim, double null_eff_rank)
{
    if (strcmp(key, "norm_cv") == 0) return s->norm_cv;
    if (strcmp(key, "norm_max_ratio") == 0) return s->norm_max_ratio;
    if (strcmp(key, "mean_abs_cos") == 0) return s->mean_abs_cos;
    if (strcmp(key, "kurtosis") == 0) return s->kurtosis;
    if (strcmp(key, "cos_vs_null") == 0) return s->mean_abs_cos / sqrt(2.0 / (M_PI * (double)dim));
    if (strcmp(key, "eff_rank_vs_null") == 0) return s->eff_rank / null_eff_rank;
    cr_assert_fail("real_stats.json: unknown statistic '%s'", key);
    return NAN;
}

/* Checks that every statistic of generator `name` at its default size falls in the range of
 * its role measured on real tensors (tests/golden/real_stats.json, "targets"). */
static void expect_real(const cJSON *targets, const char *name, kvq_role role)
{
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(targets, name);
    const cJSON *ranges = cJSON_GetObjectItemCaseSensitive(target, "ranges");
    cr_assert(cJSON_IsObject(ranges), "real_stats.json: no ranges for %s", name);
    char spec[96];
    snprintf(spec, sizeof spec, "synthetic:%s", name);
    kvq_population pop;
    kvq_row_stats s = measure(spec, &pop);
    cr_assert_eq(pop.role, role, "%s: role", name);
    snprintf(spec, sizeof spec, "synthetic:gaussian?n=%zu&dim=%zu", pop.n, pop.dim);
    kvq_population null_pop;
    double null_eff_rank = measure(spec, &null_pop).eff_rank;
    kvq_population_free(&null_pop);
    const cJSON *range;
    cJSON_ArrayForEach(range, ranges)
    {
        double got = statistic(&s, range->string, pop.dim, null_eff_rank);
        double lo = cJSON_GetArrayItem(range, 0)->valuedouble;
        double hi = cJSON_GetArrayItem(range, 1)->valuedouble;
        cr_expect(got >= lo && got <= hi, "%s: %s %.4g outside the real range [%.4g, %.4g]", name,
                  range->string, got, lo, hi);
    }
    kvq_population_free(&pop);
}

Test(population_synth, real_ranges)
{
    gsl_set_error_handler_off();
    cJSON *golden = kvq_test_golden("real_stats.json");
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(golden, "targets");
    expect_real(targets, "k_proj", KVQ_ROLE_ATTN_K);
    expect_real(targets, "mlp_gate", KVQ_ROLE_MLP_GATE);
    expect_real(targets, "mlp_act", KVQ_ROLE_MLP_GATE);
    expect_real(targets, "vocab", KVQ_ROLE_VOCAB_EMBED);
    expect_real(targets, "kv_cache", KVQ_ROLE_KV_CACHE);
    cJSON_Delete(golden);
}

/* The populations the shipped model has no tensor of keep the signatures they are built for. */
Test(population_synth, signatures)
{
    gsl_set_error_handler_off();
    kvq_population pop;
    kvq_row_stats null = measure("synthetic:gaussian", &pop);
    kvq_population_free(&pop);
    cr_assert(fabs(null.kurtosis) < 0.1 && null.eff_rank > 125, "the null population is Gaussian");

    kvq_row_stats s = measure("synthetic:sentence_embed", &pop);
    cr_assert(s.norm_cv < 1e-6 && fabs(s.norm_max_ratio - 1.0) < 1e-6, "unit norm");
    cr_assert(s.mean_abs_cos > 0.2, "sentence_embed clustered and anisotropic");
    cr_assert(s.eff_rank < 200, "sentence_embed below the 256 of isotropic rows");
    kvq_population_free(&pop);

    s = measure("synthetic:audio_latent", &pop);
    cr_assert(s.eff_rank < 60, "audio_latent: rows near 16 centroids");
    cr_assert(fabs(s.kurtosis) < 0.5, "audio_latent: Gaussian codebook");
    kvq_population_free(&pop);

    measure("synthetic:kv_cache", &pop);
    double sink = 0.0, other = 0.0;
    for (size_t j = 0; j < pop.dim; j++) sink += (double)pop.rows[j] * pop.rows[j];
    for (size_t i = 1; i < pop.n; i++)
        for (size_t j = 0; j < pop.dim; j++)
            other += (double)pop.rows[i * pop.dim + j] * pop.rows[i * pop.dim + j];
    double ratio = sqrt(sink / (other / (double)(pop.n - 1)));
    cr_assert(fabs(ratio - 1.5) < 0.1, "the sink is row 0, at 1.5x the typical norm: %.3f", ratio);
    kvq_population_free(&pop);
}

Test(population_synth, builtin_list_and_determinism)
{
    static const char *const want[] = {"synthetic:k_proj",       "synthetic:mlp_gate",
                                       "synthetic:vocab",        "synthetic:sentence_embed",
                                       "synthetic:audio_latent", "synthetic:kv_cache"};
    size_t n = 0;
    for (; kvq_builtin_populations[n]; n++) cr_assert_str_eq(kvq_builtin_populations[n], want[n]);
    cr_assert_eq(n, 6, "--matrix all runs the six signatures");
    for (const kvq_synthetic *const *g = kvq_synthetics; *g; g++) {
        char spec[96];
        snprintf(spec, sizeof spec, "synthetic:%s?n=64&dim=16&queries=8", (*g)->name);
        kvq_population a, b;
        kvq_error err;
        cr_assert_eq(kvq_population_load(&a, spec, 5, &err), KVQ_OK, "%s", err.msg);
        cr_assert_eq(kvq_population_load(&b, spec, 5, &err), KVQ_OK, "%s", err.msg);
        cr_assert_eq(memcmp(a.rows, b.rows, 64 * 16 * sizeof(float)), 0, "%s", spec);
        cr_assert_eq(memcmp(a.queries, b.queries, 8 * 16 * sizeof(float)), 0, "%s", spec);
        for (size_t i = 0; i < 64 * 16; i++) cr_assert(isfinite(a.rows[i]), "%s", spec);
        cr_assert_eq(a.role, (*g)->role);
        kvq_population_free(&a);
        kvq_population_free(&b);
    }
}
