/* run.json (harness/run_spec.h). */
#include "harness/run_spec.h"
#include "io/jsonfile.h"
#include "kvq/version.h"

#include <cjson/cJSON.h>
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
    cJSON_AddItemToObject(o, "seed", kvq_json_number((double)spec->seed));
    cJSON_AddItemToObject(
        o, "codecs",
        cJSON_CreateStringArray((const char *const *)spec->variants, (int)spec->nvariants));
    cJSON_AddItemToObject(
        o, "populations",
        cJSON_CreateStringArray((const char *const *)spec->populations, (int)spec->npopulations));
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

int kvq_run_spec_load(kvq_run_spec *spec, const char *dir, kvq_error *err)
{
    memset(spec, 0, sizeof *spec);
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    char *text;
    int rc = kvq_read_text(path, &text, NULL, err);
    if (rc) return kvq_error_wrap(err, "--resume: '%s' is not a run folder", dir);
    cJSON *o = cJSON_Parse(text);
    free(text);
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(o, "seed");
    int bad = !o || !cJSON_IsNumber(seed) || seed->valuedouble < 0 ||
              seed->valuedouble >= 9007199254740992.0 ||
              load_strings(cJSON_GetObjectItemCaseSensitive(o, "codecs"), &spec->variants,
                           &spec->nvariants) ||
              load_strings(cJSON_GetObjectItemCaseSensitive(o, "populations"), &spec->populations,
                           &spec->npopulations);
    if (!bad) spec->seed = (uint64_t)seed->valuedouble;
    cJSON_Delete(o);
    if (bad) {
        kvq_strings_free(spec->variants, spec->nvariants);
        kvq_strings_free(spec->populations, spec->npopulations);
        memset(spec, 0, sizeof *spec);
        return kvq_fail(err, KVQ_EFORMAT, "--resume: '%s' is malformed", path);
    }
    return KVQ_OK;
}
