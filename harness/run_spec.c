/* run.json (harness/run_spec.h). */
#include "harness/run_spec.h"
#include "io/jsonfile.h"
#include "kvq/commit.h"
#include "kvq/version.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kvq_strings_push(char ***list, size_t *count, const char *text)
{
    char **grown = realloc(*list, (*count + 1) * sizeof *grown);
    if (!grown) return KVQ_ENOMEM;
    *list = grown;
    grown[*count] = strdup(text);
    if (!grown[*count]) return KVQ_ENOMEM;
    (*count)++;
    return KVQ_OK;
}

void kvq_strings_free(char **list, size_t count)
{
    for (size_t i = 0; i < count; i++) free(list[i]);
    free(list);
}

int kvq_run_spec_save(const kvq_run_spec *spec, const char *dir, kvq_error *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kvqeval", KVQ_VERSION);
    cJSON_AddStringToObject(o, "commit", KVQ_COMMIT);
    cJSON_AddItemToObject(o, "seed", kvq_json_number((double)spec->seed));
    if (spec->replicates > 1) cJSON_AddNumberToObject(o, "replicates", (double)spec->replicates);
    cJSON_AddItemToObject(
        o, "codecs",
        cJSON_CreateStringArray((const char *const *)spec->variants, (int)spec->nvariants));
    cJSON_AddItemToObject(
        o, "populations",
        cJSON_CreateStringArray((const char *const *)spec->populations, (int)spec->npopulations));
    if (spec->shard_count) {
        cJSON *shard = cJSON_AddObjectToObject(o, "shard");
        cJSON_AddNumberToObject(shard, "index", spec->shard_index);
        cJSON_AddNumberToObject(shard, "count", spec->shard_count);
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text) return kvq_fail(err, KVQ_ENOMEM, "out of memory writing run.json");
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    int rc = kvq_write_text_atomic(path, text, err);
    free(text);
    return rc;
}

static int load_strings(const cJSON *array, char ***list, size_t *count)
{
    if (!cJSON_IsArray(array) || cJSON_GetArraySize(array) == 0) return -1;
    const cJSON *item;
    cJSON_ArrayForEach(item, array)
    {
        if (!cJSON_IsString(item) || kvq_strings_push(list, count, item->valuestring)) return -1;
    }
    return 0;
}

/* The optional string key of o into buf ("" when absent); -1 when it is not a string that fits. */
static int load_text(const cJSON *o, const char *key, char *buf, size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    buf[0] = '\0';
    if (!v) return 0;
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= size) return -1;
    strcpy(buf, v->valuestring);
    return 0;
}

/* The optional "replicates" (absent: 1); -1 when present but not an integer in [2, max]. */
static int load_replicates(kvq_run_spec *spec, const cJSON *o)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "replicates");
    spec->replicates = 1;
    if (!r) return 0;
    if (!cJSON_IsNumber(r) || r->valuedouble != (double)(size_t)r->valuedouble ||
        r->valuedouble < 2 || r->valuedouble > KVQ_REPLICATES_MAX)
        return -1;
    spec->replicates = (size_t)r->valuedouble;
    return 0;
}

/* The optional "shard": {"index": I, "count": N}; -1 when present but not 1 <= I <= N <= max. */
static int load_shard(kvq_run_spec *spec, const cJSON *o)
{
    const cJSON *shard = cJSON_GetObjectItemCaseSensitive(o, "shard");
    if (!shard) return 0;
    const cJSON *index = cJSON_GetObjectItemCaseSensitive(shard, "index");
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(shard, "count");
    if (!cJSON_IsNumber(index) || !cJSON_IsNumber(count)) return -1;
    double i = index->valuedouble, n = count->valuedouble;
    if (i != (double)(unsigned)i || n != (double)(unsigned)n || i < 1 || i > n ||
        n > KVQ_SHARDS_MAX)
        return -1;
    spec->shard_index = (unsigned)i;
    spec->shard_count = (unsigned)n;
    return 0;
}

void kvq_run_spec_free(kvq_run_spec *spec)
{
    kvq_strings_free(spec->variants, spec->nvariants);
    kvq_strings_free(spec->populations, spec->npopulations);
    memset(spec, 0, sizeof *spec);
}

int kvq_run_spec_load(kvq_run_spec *spec, const char *dir, kvq_error *err)
{
    memset(spec, 0, sizeof *spec);
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    char *text;
    int rc = kvq_read_text(path, &text, NULL, err);
    if (rc) return kvq_error_wrap(err, "'%s' is not a run folder", dir);
    cJSON *o = cJSON_Parse(text);
    free(text);
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(o, "seed");
    int bad = !o || !cJSON_IsNumber(seed) || seed->valuedouble < 0 ||
              seed->valuedouble >= 9007199254740992.0 ||
              load_strings(cJSON_GetObjectItemCaseSensitive(o, "codecs"), &spec->variants,
                           &spec->nvariants) ||
              load_strings(cJSON_GetObjectItemCaseSensitive(o, "populations"), &spec->populations,
                           &spec->npopulations) ||
              load_text(o, "kvqeval", spec->version, sizeof spec->version) ||
              load_text(o, "commit", spec->commit, sizeof spec->commit) || load_shard(spec, o) ||
              load_replicates(spec, o);
    if (!bad) spec->seed = (uint64_t)seed->valuedouble;
    cJSON_Delete(o);
    if (bad) {
        kvq_run_spec_free(spec);
        return kvq_fail(err, KVQ_EFORMAT, "'%s' is malformed", path);
    }
    return KVQ_OK;
}

int kvq_parse_shard(const char *text, unsigned *index, unsigned *count)
{
    unsigned long part[2];
    const char *at = text;
    for (int k = 0; k < 2; k++) {
        char *end;
        if (*at < '0' || *at > '9') return -1; /* no sign, no space */
        errno = 0;
        part[k] = strtoul(at, &end, 10);
        if (errno || *end != (k == 0 ? '/' : '\0')) return -1;
        at = end + 1;
    }
    if (part[0] < 1 || part[0] > part[1] || part[1] > KVQ_SHARDS_MAX) return -1;
    *index = (unsigned)part[0];
    *count = (unsigned)part[1];
    return 0;
}

unsigned kvq_shard_of_cell(size_t p, size_t v, unsigned count)
{
    return (unsigned)((p % count + v % count) % count) + 1;
}

/* The first difference between the string lists a and b (what names them), or "" when none. */
static void list_difference(char *buf, size_t size, const char *what, char **a, size_t na, char **b,
                            size_t nb)
{
    buf[0] = '\0';
    for (size_t i = 0; i < na && i < nb; i++)
        if (strcmp(a[i], b[i]) != 0) {
            snprintf(buf, size, "%s %zu is '%s', not '%s'", what, i + 1, b[i], a[i]);
            return;
        }
    if (na != nb) snprintf(buf, size, "%zu %ss, not %zu", nb, what, na);
}

/* What makes shard `s` another run's than `first` (loaded from first_dir), or "" when nothing. */
static void spec_difference(char *buf, size_t size, const kvq_run_spec *first,
                            const char *first_dir, const kvq_run_spec *s)
{
    char what[1024] = "";
    if (s->seed != first->seed)
        snprintf(what, sizeof what, "seed %llu, not %llu", (unsigned long long)s->seed,
                 (unsigned long long)first->seed);
    else if (s->replicates != first->replicates)
        snprintf(what, sizeof what, "%zu replicates, not %zu", s->replicates, first->replicates);
    else if (s->shard_count != first->shard_count)
        snprintf(what, sizeof what, "shard %u of %u, not of %u", s->shard_index, s->shard_count,
                 first->shard_count);
    else if (strcmp(s->version, first->version) != 0 || strcmp(s->commit, first->commit) != 0)
        snprintf(what, sizeof what, "run by kvqeval %s (commit %s), not %s (commit %s)",
                 s->version[0] ? s->version : "?", s->commit[0] ? s->commit : "?",
                 first->version[0] ? first->version : "?", first->commit[0] ? first->commit : "?");
    else {
        list_difference(what, sizeof what, "codec variant", first->variants, first->nvariants,
                        s->variants, s->nvariants);
        if (!what[0])
            list_difference(what, sizeof what, "population", first->populations,
                            first->npopulations, s->populations, s->npopulations);
    }
    buf[0] = '\0';
    if (what[0]) snprintf(buf, size, "%s as in '%s'", what, first_dir);
}

/* Loads dir as a shard of the same run as first (NULL: it is the first, from first_dir). */
static int load_shard_of(kvq_run_spec *s, const char *dir, const kvq_run_spec *first,
                         const char *first_dir, kvq_error *err)
{
    if (kvq_run_spec_load(s, dir, err)) return err->code;
    if (!s->shard_count)
        return kvq_fail(err, KVQ_EINVAL, "'%s' is a whole run, not a shard (run with --shard I/N)",
                        dir);
    char diff[1400] = "";
    if (first) spec_difference(diff, sizeof diff, first, first_dir, s);
    if (diff[0]) return kvq_fail(err, KVQ_EINVAL, "'%s' is a shard of another run: %s", dir, diff);
    return KVQ_OK;
}

/* Each shard index once (a second folder of the same shard is named with the first), all of
 * them, into owner (first->shard_count entries). */
static int check_indices(const unsigned *index, const char *const *dirs, size_t n,
                         const kvq_run_spec *first, const char **owner, kvq_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (owner[index[i] - 1])
            return kvq_fail(err, KVQ_EINVAL, "'%s' is shard %u of %u, and so is '%s'", dirs[i],
                            index[i], first->shard_count, owner[index[i] - 1]);
        owner[index[i] - 1] = dirs[i];
    }
    for (unsigned k = 0; k < first->shard_count; k++)
        if (!owner[k])
            return kvq_fail(err, KVQ_EINVAL,
                            "shard %u of %u is missing: no folder given holds it ('%s' is shard "
                            "%u of the same run)",
                            k + 1, first->shard_count, dirs[0], index[0]);
    return KVQ_OK;
}

int kvq_run_spec_merge(kvq_run_spec *spec, const char *const *dirs, size_t n, const char **owner,
                       kvq_error *err)
{
    memset(spec, 0, sizeof *spec);
    if (n == 0) return kvq_fail(err, KVQ_EINVAL, "no shard folders given");
    unsigned *index = calloc(n, sizeof *index);
    if (!index) return kvq_fail(err, KVQ_ENOMEM, "out of memory");
    int rc = load_shard_of(spec, dirs[0], NULL, NULL, err);
    index[0] = spec->shard_index;
    for (size_t i = 1; i < n && !rc; i++) {
        kvq_run_spec s;
        rc = load_shard_of(&s, dirs[i], spec, dirs[0], err);
        index[i] = s.shard_index;
        kvq_run_spec_free(&s);
    }
    const char **by_index = rc ? NULL : calloc(spec->shard_count, sizeof *by_index);
    if (!rc && !by_index) rc = kvq_fail(err, KVQ_ENOMEM, "out of memory");
    if (!rc) rc = check_indices(index, dirs, n, spec, by_index, err);
    if (!rc) /* all shard_count indices, each once, among n folders: n == shard_count */
        memcpy(owner, by_index, n * sizeof *owner);
    free(by_index);
    free(index);
    if (rc) kvq_run_spec_free(spec);
    spec->shard_index = spec->shard_count = 0;
    return rc;
}
