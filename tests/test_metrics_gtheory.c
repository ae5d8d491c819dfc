/* G studies (include/kvq/gtheory.h) against statsmodels' nested ANOVA and an EMS system solved
 * with numpy (tests/golden/gen_gtheory.py): df exactly, mean squares, signed and reported
 * components, G and Phi within 1e-10 of max(|value|, 1) on four small sets (one with nr == 1, one
 * whose only negative estimate is r:c), and every codec's s x r study. A perturbed copy of a set
 * must not match; a simulation with known components must land within 5 SD (the SD from the
 * generator's 400 numpy replicates of the same design) of the truth; bad sizes are refused. */
#include "kvq/gtheory.h"
#include "kvq/rng.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN_TOL 1e-10

/* The golden number at json[key][i]; JSON null (not estimable) is NaN. */
static double golden_at(const cJSON *json, const char *key, size_t i)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(json, key);
    cr_assert(cJSON_IsArray(a), "golden array '%s' missing", key);
    const cJSON *v = cJSON_GetArrayItem(a, (int)i);
    cr_assert(v && (cJSON_IsNumber(v) || cJSON_IsNull(v)), "golden %s[%zu] missing", key, i);
    return cJSON_IsNull(v) ? NAN : v->valuedouble;
}

/* 1 when got agrees with want (both NaN, or within GOLDEN_TOL of max(|want|, 1)); else 0 and a
 * line in why. */
static int close_to(double got, double want, const char *what, size_t i, char *why, size_t len)
{
    if (isnan(want) ? isnan(got) : fabs(got - want) <= GOLDEN_TOL * fmax(fabs(want), 1.0)) return 1;
    snprintf(why, len, "%s[%zu]: %.17g, golden %.17g", what, i, got, want);
    return 0;
}

/* 1 when the rows (df, ms, raw, sigma2, negative) of one study all match json. */
static int rows_match(const kvq_gtheory_row *rows, size_t n, const cJSON *json, char *why,
                      size_t len)
{
    for (size_t e = 0; e < n; e++) {
        const kvq_gtheory_row *w = &rows[e];
        if (!close_to(w->ms, golden_at(json, "ms", e), "ms", e, why, len) ||
            !close_to(w->raw, golden_at(json, "raw", e), "raw", e, why, len) ||
            !close_to(w->sigma2, golden_at(json, "sigma2", e), "sigma2", e, why, len))
            return 0;
        double df = golden_at(json, "df", e);
        if (w->df != (isnan(df) ? 0.0 : df) || w->negative != (int)golden_at(json, "negative", e)) {
            snprintf(why, len, "effect %zu: df %g negative %d against %g, %g", e, w->df,
                     w->negative, df, golden_at(json, "negative", e));
            return 0;
        }
    }
    return 1;
}

static int study_matches(const kvq_gtheory *g, const cJSON *set, char *why, size_t len)
{
    return rows_match(g->row, KVQ_GT_EFFECTS, set, why, len) &&
           close_to(g->tau, kvq_test_num(set, "tau"), "tau", 0, why, len) &&
           close_to(g->delta, kvq_test_num(set, "delta"), "delta", 0, why, len) &&
           close_to(g->Delta, kvq_test_num(set, "Delta"), "Delta", 0, why, len) &&
           close_to(g->g, kvq_test_num(set, "g"), "G", 0, why, len) &&
           close_to(g->phi, kvq_test_num(set, "phi"), "Phi", 0, why, len);
}

static const cJSON *golden_set(const cJSON *golden, const char *name)
{
    const cJSON *set;
    cJSON_ArrayForEach(set, cJSON_GetObjectItemCaseSensitive(golden, "datasets"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(set, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0) return set;
    }
    cr_assert_fail("golden set '%s' missing", name);
    return NULL;
}

typedef struct golden_data {
    double *y;
    size_t nq, np, nc, nr;
} golden_data;

static golden_data golden_data_of(const cJSON *set)
{
    golden_data d = {.nq = (size_t)kvq_test_num(set, "nq"),
                     .np = (size_t)kvq_test_num(set, "np"),
                     .nc = (size_t)kvq_test_num(set, "nc"),
                     .nr = (size_t)kvq_test_num(set, "nr")};
    size_t n;
    d.y = kvq_test_doubles(cJSON_GetObjectItemCaseSensitive(set, "y"), &n);
    cr_assert_eq(n, d.nq * d.np * d.nc * d.nr);
    return d;
}

Test(metrics_gtheory, matches_statsmodels)
{
    cJSON *golden = kvq_test_golden("gtheory.json");
    const cJSON *set;
    size_t sets = 0, codecs = 0;
    cJSON_ArrayForEach(set, cJSON_GetObjectItemCaseSensitive(golden, "datasets"))
    {
        const char *name = cJSON_GetObjectItemCaseSensitive(set, "name")->valuestring;
        golden_data d = golden_data_of(set);
        kvq_gtheory g;
        kvq_error err;
        char why[256];
        cr_assert_eq(kvq_gtheory_study(d.y, d.nq, d.np, d.nc, d.nr, &g, &err), KVQ_OK, "%s: %s",
                     name, err.msg);
        cr_assert(study_matches(&g, set, why, sizeof why), "%s: %s", name, why);
        const cJSON *cs;
        cJSON_ArrayForEach(cs, cJSON_GetObjectItemCaseSensitive(set, "codecs"))
        {
            size_t c = (size_t)kvq_test_num(cs, "c");
            kvq_gtheory_sr sr;
            cr_assert_eq(kvq_gtheory_codec(d.y, d.nq, d.np, d.nc, d.nr, c, &sr, &err), KVQ_OK,
                         "%s codec %zu: %s", name, c, err.msg);
            cr_assert(rows_match(sr.row, KVQ_GT_SR_EFFECTS, cs, why, sizeof why) &&
                          close_to(sr.g, kvq_test_num(cs, "g"), "G", 0, why, sizeof why) &&
                          close_to(sr.phi, kvq_test_num(cs, "phi"), "Phi", 0, why, sizeof why),
                      "%s codec %zu: %s", name, c, why);
            codecs++;
        }
        free(d.y);
        sets++;
    }
    cr_assert(sets == 4 && codecs == 10, "%zu sets, %zu codec studies", sets, codecs);
    cJSON_Delete(golden);
}

/* The checks can fail: one value moved by 0.5 changes the answer. */
Test(metrics_gtheory, perturbed_data_do_not_match)
{
    cJSON *golden = kvq_test_golden("gtheory.json");
    const cJSON *set = golden_set(golden, "medium");
    golden_data d = golden_data_of(set);
    d.y[7] += 0.5;
    kvq_gtheory g;
    char why[256];
    cr_assert_eq(kvq_gtheory_study(d.y, d.nq, d.np, d.nc, d.nr, &g, NULL), KVQ_OK);
    cr_assert_not(study_matches(&g, set, why, sizeof why), "a perturbed set matched");
    free(d.y);
    cJSON_Delete(golden);
}

Test(metrics_gtheory, flags_exactly_the_negative_component)
{
    cJSON *golden = kvq_test_golden("gtheory.json");
    golden_data d = golden_data_of(golden_set(golden, "negative"));
    kvq_gtheory g;
    cr_assert_eq(kvq_gtheory_study(d.y, d.nq, d.np, d.nc, d.nr, &g, NULL), KVQ_OK);
    for (size_t e = 0; e < KVQ_GT_EFFECTS; e++) {
        const kvq_gtheory_row *w = &g.row[e];
        const char *name = kvq_gtheory_effect_name((kvq_gtheory_effect)e);
        cr_assert_eq(w->negative, e == KVQ_GT_R_C, "%s flagged %d (raw %g)", name, w->negative,
                     w->raw);
        cr_assert(e == KVQ_GT_R_C ? w->raw < 0.0 && w->sigma2 == 0.0 : w->sigma2 == w->raw,
                  "%s: raw %g, sigma2 %g", name, w->raw, w->sigma2);
    }
    /* r:c's estimate is signed when the others are solved: c's uses MS(r:c) itself, not 0. */
    double top = (double)(d.nq * d.np * d.nr);
    double c_raw =
        (g.row[KVQ_GT_C].ms - g.row[KVQ_GT_R_C].ms - g.row[KVQ_GT_QC].ms + g.row[KVQ_GT_QR_C].ms) /
        top;
    cr_assert_float_eq(g.row[KVQ_GT_C].raw, c_raw, 1e-12);
    cr_assert_float_eq(g.Delta - g.delta, g.row[KVQ_GT_C].sigma2 / (double)d.nc, 1e-12,
                       "a zeroed r:c adds nothing to Delta");
    free(d.y);
    cJSON_Delete(golden);
}

Test(metrics_gtheory, one_replicate_merges_into_the_residual)
{
    cJSON *golden = kvq_test_golden("gtheory.json");
    golden_data d = golden_data_of(golden_set(golden, "one_replicate"));
    kvq_gtheory g;
    cr_assert_eq(kvq_gtheory_study(d.y, d.nq, d.np, d.nc, d.nr, &g, NULL), KVQ_OK);
    static const kvq_gtheory_effect gone[] = {KVQ_GT_R_C, KVQ_GT_PC_Q, KVQ_GT_QR_C};
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++) {
        const kvq_gtheory_row *w = &g.row[gone[i]];
        cr_assert(w->df == 0.0 && isnan(w->ms) && isnan(w->raw) && isnan(w->sigma2) && !w->negative,
                  "%s is reported", kvq_gtheory_effect_name(gone[i]));
    }
    cr_assert_eq(g.row[KVQ_GT_RES].df, (double)(d.nq * (d.np - 1) * (d.nc - 1)));
    cr_assert(isfinite(g.g) && isfinite(g.phi));
    kvq_gtheory_sr sr;
    kvq_error err;
    cr_assert_eq(kvq_gtheory_codec(d.y, d.nq, d.np, d.nc, d.nr, 0, &sr, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "replicates"), "%s", err.msg);
    free(d.y);
    cJSON_Delete(golden);
}

/* Every component within 5 SD of the value the data were simulated with. */
Test(metrics_gtheory, recovers_known_components)
{
    cJSON *golden = kvq_test_golden("gtheory.json");
    const cJSON *sim = cJSON_GetObjectItemCaseSensitive(golden, "simulation");
    size_t nq = (size_t)kvq_test_num(sim, "nq"), np = (size_t)kvq_test_num(sim, "np"),
           nc = (size_t)kvq_test_num(sim, "nc"), nr = (size_t)kvq_test_num(sim, "nr");
    double sd[KVQ_GT_EFFECTS];
    for (size_t e = 0; e < KVQ_GT_EFFECTS; e++) sd[e] = sqrt(golden_at(sim, "truth", e));
    kvq_rng rng;
    kvq_rng_seed(&rng, 20260807, 3);
    double *fq = malloc(nq * sizeof *fq), *fc = malloc(nc * sizeof *fc);
    double *frc = malloc(nc * nr * sizeof *frc), *fqc = malloc(nq * nc * sizeof *fqc);
    double *fqrc = malloc(nq * nc * nr * sizeof *fqrc), *y = malloc(nq * np * nc * nr * sizeof *y);
    cr_assert(fq && fc && frc && fqc && fqrc && y);
    for (size_t i = 0; i < nq; i++) fq[i] = sd[KVQ_GT_Q] * kvq_rng_gaussian(&rng);
    for (size_t i = 0; i < nc; i++) fc[i] = sd[KVQ_GT_C] * kvq_rng_gaussian(&rng);
    for (size_t i = 0; i < nc * nr; i++) frc[i] = sd[KVQ_GT_R_C] * kvq_rng_gaussian(&rng);
    for (size_t i = 0; i < nq * nc; i++) fqc[i] = sd[KVQ_GT_QC] * kvq_rng_gaussian(&rng);
    for (size_t i = 0; i < nq * nc * nr; i++) fqrc[i] = sd[KVQ_GT_QR_C] * kvq_rng_gaussian(&rng);
    for (size_t q = 0; q < nq; q++)
        for (size_t p = 0; p < np; p++) {
            double fpq = sd[KVQ_GT_P_Q] * kvq_rng_gaussian(&rng);
            for (size_t c = 0; c < nc; c++) {
                double fpcq = sd[KVQ_GT_PC_Q] * kvq_rng_gaussian(&rng);
                for (size_t r = 0; r < nr; r++)
                    y[((q * np + p) * nc + c) * nr + r] =
                        fq[q] + fpq + fc[c] + frc[c * nr + r] + fqc[q * nc + c] + fpcq +
                        fqrc[(q * nc + c) * nr + r] + sd[KVQ_GT_RES] * kvq_rng_gaussian(&rng);
            }
        }
    kvq_gtheory g;
    kvq_error err;
    cr_assert_eq(kvq_gtheory_study(y, nq, np, nc, nr, &g, &err), KVQ_OK, "%s", err.msg);
    for (size_t e = 0; e < KVQ_GT_EFFECTS; e++)
        cr_assert_float_eq(g.row[e].raw, golden_at(sim, "truth", e), golden_at(sim, "tol", e),
                           "%s: %g, truth %g", kvq_gtheory_effect_name((kvq_gtheory_effect)e),
                           g.row[e].raw, golden_at(sim, "truth", e));
    cr_assert_float_eq(g.g, kvq_test_num(sim, "g"), kvq_test_num(sim, "g_tol"), "G %g", g.g);
    cr_assert_float_eq(g.phi, kvq_test_num(sim, "phi"), kvq_test_num(sim, "phi_tol"), "Phi %g",
                       g.phi);
    free(fq), free(fc), free(frc), free(fqc), free(fqrc), free(y);
    cJSON_Delete(golden);
}

Test(metrics_gtheory, refuses_bad_sizes)
{
    double y[2 * 2 * 2 * 2] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17};
    const size_t ok[4] = {2, 2, 2, 2};
    kvq_gtheory g;
    kvq_gtheory_sr sr;
    kvq_error err;
    cr_assert_eq(kvq_gtheory_study(y, 2, 2, 2, 2, &g, &err), KVQ_OK, "%s", err.msg);
    for (size_t i = 0; i < 4; i++)
        for (size_t bad = 0; bad < 2; bad++) {
            size_t s[4] = {ok[0], ok[1], ok[2], ok[3]};
            s[i] = bad;
            if (i == 3 && bad == 1) continue; /* nr == 1 is a design of its own */
            cr_assert_eq(kvq_gtheory_study(y, s[0], s[1], s[2], s[3], &g, &err), KVQ_EINVAL,
                         "size %zu = %zu accepted", i, bad);
            cr_assert_eq(kvq_gtheory_codec(y, s[0], s[1], s[2], s[3], 0, &sr, &err),
                         bad == 0 || i == 3 ? KVQ_EINVAL : KVQ_OK, "codec: size %zu = %zu", i, bad);
        }
    cr_assert_eq(kvq_gtheory_study(y, SIZE_MAX / 2, 4, 2, 2, &g, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "overflows"), "%s", err.msg);
    cr_assert_eq(kvq_gtheory_codec(y, 2, 2, 2, 2, 2, &sr, &err), KVQ_EINVAL);
    cr_assert_eq(kvq_gtheory_codec(y, 1, 1, 8, 2, 0, &sr, &err), KVQ_EINVAL);
    y[13] = NAN; /* q 2, p 2, c 1, r 2 */
    cr_assert_eq(kvq_gtheory_study(y, 2, 2, 2, 2, &g, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "q 2, p 2, c 1, r 2"), "%s", err.msg);
    cr_assert_eq(kvq_gtheory_codec(y, 2, 2, 2, 2, 0, &sr, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "q 2, p 2, c 1, r 2"), "%s", err.msg);
    cr_assert_eq(kvq_gtheory_codec(y, 2, 2, 2, 2, 1, &sr, &err), KVQ_OK, "codec 2 has no NaN");
}
