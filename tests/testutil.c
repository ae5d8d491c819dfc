/* Helpers for the Criterion tests (tests/testutil.h). */
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

cJSON *kvq_test_golden(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/golden/%s", KVQ_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open golden file %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)len + 1);
    cr_assert_not_null(text);
    cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
    text[len] = '\0';
    fclose(f);
    cJSON *json = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(json, "golden file %s is not valid JSON", path);
    return json;
}

double kvq_test_num(const cJSON *json, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);
    cr_assert(cJSON_IsNumber(item), "golden value '%s' missing", key);
    return item->valuedouble;
}

double *kvq_test_doubles(const cJSON *array, size_t *n)
{
    cr_assert(cJSON_IsArray(array));
    *n = (size_t)cJSON_GetArraySize(array);
    double *out = malloc(*n * sizeof *out + 1);
    cr_assert_not_null(out);
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, array) out[i++] = item->valuedouble;
    return out;
}

float *kvq_test_floats(const cJSON *array, size_t *n)
{
    double *d = kvq_test_doubles(array, n);
    float *f = malloc(*n * sizeof *f + 1);
    cr_assert_not_null(f);
    for (size_t i = 0; i < *n; i++) f[i] = (float)d[i];
    free(d);
    return f;
}

float *kvq_test_gaussian_rows(size_t n, size_t dim, uint64_t seed)
{
    kvq_rng rng;
    kvq_rng_seed(&rng, seed, KVQ_RNG_DEFAULT_STREAM);
    float *rows = malloc(n * dim * sizeof *rows);
    cr_assert_not_null(rows);
    for (size_t i = 0; i < n * dim; i++) rows[i] = (float)kvq_rng_gaussian(&rng);
    return rows;
}
