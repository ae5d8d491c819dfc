/* Population specs dispatch, role names and ownership (include/kvq/population.h). */
#include "kvq/population.h"
#include "populations.h"

#include <stdlib.h>
#include <string.h>

static const char *const role_names[KVQ_ROLE_COUNT] = {
    [KVQ_ROLE_OTHER] = "other",
    [KVQ_ROLE_ATTN_Q] = "q_proj",
    [KVQ_ROLE_ATTN_K] = "k_proj",
    [KVQ_ROLE_ATTN_V] = "v_proj",
    [KVQ_ROLE_ATTN_O] = "o_proj",
    [KVQ_ROLE_ATTN_QKV] = "qkv_proj",
    [KVQ_ROLE_MLP_GATE] = "mlp_gate",
    [KVQ_ROLE_MLP_UP] = "mlp_up",
    [KVQ_ROLE_MLP_DOWN] = "mlp_down",
    [KVQ_ROLE_VOCAB_EMBED] = "vocab",
    [KVQ_ROLE_OUTPUT_HEAD] = "lm_head",
    [KVQ_ROLE_POS_EMBED] = "pos_embed",
    [KVQ_ROLE_NORM_BIAS] = "norm_bias",
    [KVQ_ROLE_SENTENCE_EMBED] = "sentence_embed",
    [KVQ_ROLE_AUDIO_LATENT] = "audio_latent",
    [KVQ_ROLE_KV_CACHE] = "kv_cache",
    [KVQ_ROLE_GAUSSIAN] = "gaussian",
};

const char *kvq_role_name(kvq_role role)
{
    if ((unsigned)role >= KVQ_ROLE_COUNT) return "other";
    return role_names[role];
}

void kvq_population_free(kvq_population *pop)
{
    free(pop->rows);
    free(pop->queries);
    free(pop->chain);
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
    else
        rc = kvq_fail(err, KVQ_EINVAL,
                      "population '%s': unknown kind (expected synthetic:NAME[?options])", spec);
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
