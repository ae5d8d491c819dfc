/* The six signature populations show the statistics they are built for (README "Populations",
 * each generator's opening comment), measured by kvq_row_stats_compute, which is itself checked
 * against numpy on two fixed matrices (tests/golden/gen_populations.py). The bounds are the
 * signatures' claims, each set against the Gaussian null population measured in the same run. */
#include "kvq/population.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
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

static kvq_row_stats measure(const char *name, kvq_population *pop)
{
    char spec[64];
    snprintf(spec, sizeof spec, "synthetic:%s", name);
    kvq_error err;
    cr_assert_eq(kvq_population_load(pop, spec, 1, &err), KVQ_OK, "%s", err.msg);
    kvq_row_stats s;
    cr_assert_eq(kvq_row_stats_compute(pop->rows, pop->n, pop->dim, &s, &err), KVQ_OK, "%s",
                 err.msg);
    cr_log_info("%-15s %zu x %zu: norm_cv %.3f max/median %.2f mean|cos| %.3f kurtosis %.2f "
                "eff_rank %.1f",
                name, pop->n, pop->dim, s.norm_cv, s.norm_max_ratio, s.mean_abs_cos, s.kurtosis,
                s.eff_rank);
    return s;
}

Test(population_synth, signatures)
{
    gsl_set_error_handler_off();
    kvq_population pop;
    kvq_row_stats null = measure("gaussian", &pop);
    kvq_population_free(&pop);
    cr_assert(fabs(null.kurtosis) < 0.1 && null.eff_rank > 125, "the null population is Gaussian");

    kvq_row_stats s = measure("k_proj", &pop);
    cr_assert(s.mean_abs_cos < 0.12, "k_proj rows near-orthogonal");
    cr_assert(s.kurtosis > 3.0, "k_proj outlier channels make heavy tails");
    cr_assert(s.eff_rank > 115 && s.eff_rank < null.eff_rank - 2, "k_proj: full rank but skewed");
    cr_assert_eq(pop.role, KVQ_ROLE_ATTN_K);
    kvq_population_free(&pop);

    s = measure("mlp_gate", &pop);
    cr_assert(s.kurtosis > 20.0, "mlp_gate heavy tails");
    cr_assert(s.norm_cv > 0.3, "mlp_gate row norms spread");
    cr_assert(s.mean_abs_cos < 0.1, "mlp_gate rows near-orthogonal");
    kvq_population_free(&pop);

    s = measure("vocab", &pop);
    cr_assert(s.norm_cv > 0.3 && s.norm_max_ratio > 5.0, "vocab: Zipf-like norms");
    cr_assert(s.mean_abs_cos > 0.08 && s.mean_abs_cos < 0.2, "vocab: a shared direction");
    cr_assert(s.eff_rank > 230, "vocab rows stay distinct (index regime)");
    kvq_population_free(&pop);

    s = measure("sentence_embed", &pop);
    cr_assert(s.norm_cv < 1e-6 && fabs(s.norm_max_ratio - 1.0) < 1e-6, "unit norm");
    cr_assert(s.mean_abs_cos > 0.2, "sentence_embed clustered and anisotropic");
    cr_assert(s.eff_rank < 200, "sentence_embed below the 256 of isotropic rows");
    kvq_population_free(&pop);

    s = measure("audio_latent", &pop);
    cr_assert(s.eff_rank < 60, "audio_latent: rows near 16 centroids");
    cr_assert(fabs(s.kurtosis) < 0.5, "audio_latent: Gaussian codebook");
    kvq_population_free(&pop);

    s = measure("kv_cache", &pop);
    cr_assert(s.eff_rank < 20, "kv_cache: low effective rank");
    cr_assert(s.norm_max_ratio > 20.0, "kv_cache: attention sink");
    cr_assert(s.mean_abs_cos > 0.25, "kv_cache: rows share a subspace");
    float sink = 0.0f, other = 0.0f;
    for (size_t j = 0; j < pop.dim; j++) {
        sink += pop.rows[j] * pop.rows[j];
        other += pop.rows[pop.dim + j] * pop.rows[pop.dim + j];
    }
    cr_assert(sink > 100.0f * other, "the sink is row 0, among the rows");
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
