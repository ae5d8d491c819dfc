/* Golden-value helpers shared by the tests/test_metrics_*.c files (header-only: each test file is
 * its own executable). Golden JSON writes non-finite values as the strings "NaN", "Inf", "-Inf". */
#ifndef KVQ_TEST_METRICS_GOLDEN_H
#define KVQ_TEST_METRICS_GOLDEN_H

#include "testutil.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* Agreement asked of every golden comparison: 1e-6 relative, with an absolute floor for values
 * that are zero up to rounding in the reference. */
#define GOLDEN_REL 1e-6
#define GOLDEN_ABS 1e-12

/* The value of json[key]: a number, or one of the strings "NaN", "Inf", "-Inf". */
static inline double golden_value(const cJSON *json, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);
    if (cJSON_IsString(item)) {
        if (!strcmp(item->valuestring, "Inf")) return INFINITY;
        if (!strcmp(item->valuestring, "-Inf")) return -INFINITY;
        cr_assert_str_eq(item->valuestring, "NaN", "golden value '%s'", key);
        return NAN;
    }
    return kvq_test_num(json, key);
}

/* got equals want to GOLDEN_REL (NaN only matches NaN, an infinity only itself). */
static inline void golden_check(double got, double want, const char *what)
{
    if (isnan(want) || isinf(want)) {
        cr_assert(isnan(want) ? isnan(got) : got == want, "%s: got %.17g, want %g", what, got,
                  want);
        return;
    }
    cr_assert(fabs(got - want) <= GOLDEN_ABS + GOLDEN_REL * fabs(want), "%s: got %.17g, want %.17g",
              what, got, want);
}

/* golden_check against json[key]. */
static inline void golden_expect(double got, const cJSON *json, const char *key, const char *what)
{
    char label[256];
    snprintf(label, sizeof label, "%s %s", what, key);
    golden_check(got, golden_value(json, key), label);
}

/* Reads a golden CSV (header row, numeric cells) into a new n x k row-major matrix. */
static inline double *golden_csv(const char *name, size_t *n, size_t *k)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/golden/%s", KVQ_TEST_DATA, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char line[4096];
    cr_assert_not_null(fgets(line, sizeof line, f));
    *k = 1;
    for (char *c = line; *c; c++) *k += *c == ',';
    size_t cap = 64, count = 0;
    double *x = malloc(cap * sizeof *x);
    double v;
    while (fscanf(f, "%lf,", &v) == 1) {
        if (count == cap) x = realloc(x, (cap *= 2) * sizeof *x);
        x[count++] = v;
    }
    fclose(f);
    cr_assert_eq(count % *k, 0, "%s: ragged", path);
    *n = count / *k;
    return x;
}

#endif
