/* Population specs: dispatch by scheme, shared options, ownership (include/kvq/population.h). */
#include "kvq/population.h"
#include "populations.h"

#include <stdlib.h>
#include <string.h>

int kvq_option_size(const kvq_params *opt, const char *key, long fallback, long min, long max,
                    size_t *out, kvq_error *err)
{
    long v = fallback;
    const char *text = kvq_params_get(opt, key);
    if (text && text[0] != '\0') {
        int rc = kvq_params_int(opt, key, min, max, &v, err);
        if (rc) return rc;
    }
    *out = (size_t)v;
    return KVQ_OK;
}

int kvq_option_seed(const kvq_params *opt, uint64_t run_seed, uint64_t *out, kvq_error *err)
{
    size_t v = 0;
    const char *text = kvq_params_get(opt, "seed");
    if (!text || text[0] == '\0') {
        *out = run_seed;
        return KVQ_OK;
    }
    int rc = kvq_option_size(opt, "seed", 0, 0, 0x7fffffffffffffffL, &v, err);
    if (!rc) *out = v;
    return rc;
}

size_t kvq_default_queries(size_t total)
{
    size_t q = total / 5;
    return q > 256 ? 256 : q < 1 ? 1 : q;
}

void kvq_population_free(kvq_population *pop)
{
    free(pop->rows);
    free(pop->queries);
    free(pop->row_source);
    free(pop->query_source);
    free(pop->chain);
    free(pop->chain_norm);
    free(pop->row_origin);
    free(pop->query_origin);
    free(pop->heldout);
    memset(pop, 0, sizeof *pop);
}

int kvq_population_load(kvq_population *pop, const char *spec, uint64_t seed, kvq_error *err)
{
    memset(pop, 0, sizeof *pop);
    pop->layer = -1;
    static const char synthetic[] = "synthetic:";
    int rc;
    if (strncmp(spec, synthetic, sizeof synthetic - 1) == 0)
        rc = kvq_synthetic_load(pop, spec, spec + sizeof synthetic - 1, seed, err);
    else if (strncmp(spec, "safetensors:", 12) == 0 || strncmp(spec, "npy:", 4) == 0 ||
             strncmp(spec, "gguf:", 5) == 0)
        rc = kvq_file_population_load(pop, spec, strchr(spec, ':') + 1, seed, err);
    else if (strncmp(spec, "model:", 6) == 0)
        rc = kvq_model_population_load(pop, spec, spec + 6, seed, err);
    else
        rc = kvq_fail(err, KVQ_EINVAL,
                      "population '%s': unknown kind (expected synthetic:NAME[?options], "
                      "safetensors:PATH[#options], gguf:FILE.gguf[#options], npy:PATH[#options] "
                      "or model:DIR#options)",
                      spec);
    if (rc) {
        kvq_population_free(pop);
        return rc;
    }
    if (strlen(spec) >= sizeof pop->name) {
        kvq_population_free(pop);
        return kvq_fail(err, KVQ_EINVAL, "population spec longer than %zu characters: '%.40s...'",
                        sizeof pop->name - 1, spec);
    }
    strcpy(pop->name, spec);
    return KVQ_OK;
}
