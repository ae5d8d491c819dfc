/* Checkpoints: one safetensors file, a sharded model folder, one .npy file or one GGUF file, with
 * every tensor classified (include/kvq/checkpoint.h). */
#define _GNU_SOURCE /* strverscmp: natural order of names */
#include "kvq/checkpoint.h"
#include "kvq/gguf.h"
#include "populations.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INDEX_NAME "model.safetensors.index.json"

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *s = malloc(a + b + 2);
    if (s) snprintf(s, a + b + 2, "%s%s%s", dir, a && dir[a - 1] == '/' ? "" : "/", name);
    return s;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_entry_name(const void *a, const void *b)
{
    return strverscmp(((const kvq_checkpoint_entry *)a)->tensor->name,
                      ((const kvq_checkpoint_entry *)b)->tensor->name);
}

/* Opens the shard files names[n] in dir. */
static int open_shards(kvq_checkpoint *ck, const char *dir, char **names, size_t n, kvq_error *err)
{
    ck->shards = calloc(n ? n : 1, sizeof *ck->shards);
    if (!ck->shards) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", dir);
    for (size_t i = 0; i < n; i++) {
        char *path = join(dir, names[i]);
        if (!path) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", dir);
        int rc = kvq_safetensors_open(&ck->shards[i], path, err);
        free(path);
        if (rc) return rc;
        ck->nshards++;
    }
    return KVQ_OK;
}

static const kvq_safetensors *shard_named(const kvq_checkpoint *ck, const char *name)
{
    for (size_t i = 0; i < ck->nshards; i++) {
        const char *base = strrchr(ck->shards[i].path, '/');
        if (strcmp(base ? base + 1 : ck->shards[i].path, name) == 0) return &ck->shards[i];
    }
    return NULL;
}

/* The distinct shard names of weight_map, sorted, into *names (strings owned by map). */
static int shard_names(const cJSON *map, const char *index, char ***names, size_t *n,
                       kvq_error *err)
{
    size_t cap = (size_t)cJSON_GetArraySize(map);
    *names = malloc((cap ? cap : 1) * sizeof **names);
    *n = 0;
    if (!*names) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", index);
    for (const cJSON *e = map->child; e; e = e->next) {
        const char *s = cJSON_GetStringValue(e);
        if (!s || !*s || strchr(s, '/') || strcmp(s, "..") == 0 || strcmp(s, ".") == 0)
            return kvq_fail(err, KVQ_EFORMAT,
                            "%s: weight_map['%s'] must be a shard file name in the same folder",
                            index, e->string);
        (*names)[(*n)++] = (char *)s;
    }
    if (*n == 0) return kvq_fail(err, KVQ_EFORMAT, "%s: weight_map lists no tensor", index);
    qsort(*names, *n, sizeof **names, by_string);
    size_t u = 0;
    for (size_t i = 0; i < *n; i++)
        if (u == 0 || strcmp((*names)[u - 1], (*names)[i]) != 0) (*names)[u++] = (*names)[i];
    *n = u;
    return KVQ_OK;
}

/* Every tensor the index lists is in the shard it names. */
static int check_index(const kvq_checkpoint *ck, const cJSON *map, const char *index,
                       kvq_error *err)
{
    for (const cJSON *e = map->child; e; e = e->next) {
        const kvq_safetensors *st = shard_named(ck, e->valuestring);
        if (!st || !kvq_safetensors_find(st, e->string))
            return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s' is mapped to '%s', which lacks it",
                            index, e->string, e->valuestring);
    }
    return KVQ_OK;
}

static int open_indexed(kvq_checkpoint *ck, const char *index, kvq_error *err)
{
    kvq_mapping m;
    int rc = kvq_map_file(&m, index, err);
    if (rc) return rc;
    cJSON *root = cJSON_ParseWithLength((const char *)m.data, m.size);
    kvq_unmap_file(&m);
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    char **names = NULL;
    size_t n = 0;
    if (!root || !cJSON_IsObject(map))
        rc = kvq_fail(err, KVQ_EFORMAT, "%s: not JSON with a \"weight_map\" object", index);
    if (!rc) rc = shard_names(map, index, &names, &n, err);
    if (!rc) rc = open_shards(ck, ck->path, names, n, err);
    if (!rc) rc = check_index(ck, map, index, err);
    free(names);
    cJSON_Delete(root);
    return rc;
}

static int is_safetensors_name(const char *name)
{
    size_t n = strlen(name);
    return n > 12 && strcmp(name + n - 12, ".safetensors") == 0;
}

/* A folder without an index: every *.safetensors file in it. */
static int open_folder(kvq_checkpoint *ck, kvq_error *err)
{
    DIR *d = opendir(ck->path);
    if (!d) return kvq_fail(err, KVQ_EIO, "cannot read folder '%s': %s", ck->path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = KVQ_OK;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        if (!is_safetensors_name(e->d_name)) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                rc = kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", ck->path);
            else
                names = grown;
        }
        if (!rc && !(names[n++] = strdup(e->d_name)))
            rc = kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", ck->path);
    }
    closedir(d);
    if (!rc && n == 0)
        rc = kvq_fail(err, KVQ_EIO, "folder '%s' holds no " INDEX_NAME " and no .safetensors file",
                      ck->path);
    if (!rc) {
        qsort(names, n, sizeof *names, by_string);
        rc = open_shards(ck, ck->path, names, n, err);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

static void add_entry(kvq_checkpoint *ck, const kvq_tensor *t, const char *file)
{
    kvq_checkpoint_entry *e = &ck->entries[ck->count++];
    e->tensor = t;
    e->file = file;
    e->cls = kvq_classify_tensor(t->name, t->shape, t->ndim);
}

/* Collects and classifies every tensor; refuses one name in two shards. */
static int collect(kvq_checkpoint *ck, kvq_error *err)
{
    size_t total = ck->nshards ? 0 : 1;
    for (size_t i = 0; i < ck->nshards; i++) total += ck->shards[i].count;
    ck->entries = calloc(total ? total : 1, sizeof *ck->entries);
    if (!ck->entries) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", ck->path);
    if (!ck->nshards) add_entry(ck, &ck->npy.tensor, ck->npy.path);
    for (size_t i = 0; i < ck->nshards; i++)
        for (size_t j = 0; j < ck->shards[i].count; j++)
            add_entry(ck, &ck->shards[i].tensors[j], ck->shards[i].path);
    qsort(ck->entries, ck->count, sizeof *ck->entries, by_entry_name);
    for (size_t i = 1; i < ck->count; i++)
        if (strcmp(ck->entries[i - 1].tensor->name, ck->entries[i].tensor->name) == 0)
            return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s' is in both '%s' and '%s'", ck->path,
                            ck->entries[i].tensor->name, ck->entries[i - 1].file,
                            ck->entries[i].file);
    return KVQ_OK;
}

static int open_path(kvq_checkpoint *ck, const char *path, kvq_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return kvq_fail(err, KVQ_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        char *index = join(path, INDEX_NAME);
        if (!index) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", path);
        int rc = stat(index, &st) == 0 ? open_indexed(ck, index, err) : open_folder(ck, err);
        free(index);
        return rc;
    }
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".npy") == 0) return kvq_npy_open(&ck->npy, path, err);
    ck->shards = calloc(1, sizeof *ck->shards);
    if (!ck->shards) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", path);
    int rc;
    if (n > 5 && strcmp(path + n - 5, ".gguf") == 0) {
        kvq_gguf g; /* its tensors are held as the one shard */
        rc = kvq_gguf_open(&g, path, err);
        if (!rc) kvq_gguf_release(&g, &ck->shards[0]);
    } else {
        rc = kvq_safetensors_open(&ck->shards[0], path, err);
    }
    if (!rc) ck->nshards = 1;
    return rc;
}

int kvq_checkpoint_open(kvq_checkpoint *ck, const char *path, kvq_error *err)
{
    memset(ck, 0, sizeof *ck);
    ck->path = strdup(path);
    if (!ck->path) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", path);
    int rc = open_path(ck, path, err);
    if (!rc) rc = collect(ck, err);
    if (rc) kvq_checkpoint_close(ck);
    return rc;
}

void kvq_checkpoint_close(kvq_checkpoint *ck)
{
    for (size_t i = 0; i < ck->nshards; i++) kvq_safetensors_close(&ck->shards[i]);
    free(ck->shards);
    kvq_npy_close(&ck->npy);
    free(ck->entries);
    free(ck->path);
    memset(ck, 0, sizeof *ck);
}
