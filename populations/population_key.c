/* A population's canonical key (include/kvq/population_key.h). */
#include "kvq/population_key.h"

#include <stdio.h>
#include <string.h>

void kvq_population_stream(kvq_rng *rng, uint64_t run_seed, const char *part,
                           const kvq_population *pop)
{
    char key[KVQ_POPULATION_KEY_MAX], label[KVQ_POPULATION_KEY_MAX + 64];
    kvq_population_key(pop, key, sizeof key);
    snprintf(label, sizeof label, "%s|%s", part, key);
    kvq_rng_derive(rng, run_seed, label);
}

void kvq_population_key(const kvq_population *pop, char *out, size_t size)
{
    const char *colon = strchr(pop->name, ':');
    if (!colon || strcmp(pop->source, "synthetic") == 0 || !pop->source[0]) {
        snprintf(out, size, "%s", pop->name);
        return;
    }
    const char *path = colon + 1, *hash = strrchr(path, '#');
    size_t len = hash ? (size_t)(hash - path) : strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/') start--;
    snprintf(out, size, "%.*s%.*s#%s|%s", (int)(colon + 1 - pop->name), pop->name,
             (int)(len - start), path + start, hash ? hash + 1 : "", pop->tensor);
}
