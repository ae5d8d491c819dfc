/* kvqeval inspect FILE|DIR [--format table|json]: every tensor of a checkpoint (safetensors file,
 * sharded model folder, or .npy) with dtype, shape, role, layer and bytes, then the totals per
 * role. Exit 0, or 2 for a usage error or a file kvqeval refuses (the message names it). */
#include "cli/commands.h"
#include "harness/run.h"
#include "io/message.h"
#include "kvq/checkpoint.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int inspect_usage(const char *why)
{
    fprintf(stderr, "kvqeval inspect: %s\nusage: kvqeval inspect FILE|DIR [--format table|json]\n",
            why);
    return KVQ_EXIT_USAGE;
}

static void format_shape(const kvq_tensor *t, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (t->ndim == 0) snprintf(buf, size, "scalar");
    for (size_t i = 0; i < t->ndim && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%llu", i ? "x" : "",
                                 (unsigned long long)t->shape[i]);
}

typedef struct role_total {
    size_t tensors;
    unsigned long long bytes;
} role_total;

static void totals(const kvq_checkpoint *ck, role_total per_role[KVQ_ROLE_COUNT], role_total *all)
{
    memset(per_role, 0, KVQ_ROLE_COUNT * sizeof *per_role);
    memset(all, 0, sizeof *all);
    for (size_t i = 0; i < ck->count; i++) {
        role_total *r = &per_role[ck->entries[i].cls.role];
        r->tensors++;
        r->bytes += ck->entries[i].tensor->nbytes;
        all->tensors++;
        all->bytes += ck->entries[i].tensor->nbytes;
    }
}

static void print_table(const kvq_checkpoint *ck)
{
    /* Names come from the file: shown escaped, so no byte of theirs reaches the terminal raw. */
    int width = 6;
    for (size_t i = 0; i < ck->count; i++) {
        int len = kvq_escaped_width(ck->entries[i].tensor->name);
        if (len > width) width = len;
    }
    printf("%-*s  %-7s  %-16s  %-14s  %5s  %12s\n", width, "tensor", "dtype", "shape", "role",
           "layer", "bytes");
    for (size_t i = 0; i < ck->count; i++) {
        const kvq_checkpoint_entry *e = &ck->entries[i];
        char shape[96], layer[16] = "-";
        format_shape(e->tensor, shape, sizeof shape);
        if (e->cls.layer >= 0) snprintf(layer, sizeof layer, "%d", e->cls.layer);
        kvq_put_padded(stdout, e->tensor->name, width);
        printf("  %-7s  %-16s  %-14s  %5s  %12llu%s\n", kvq_dtype_name(e->tensor->dtype), shape,
               kvq_role_name(e->cls.role), layer, (unsigned long long)e->tensor->nbytes,
               e->cls.transposed ? "  (stored [in, out])" : "");
    }
    role_total per_role[KVQ_ROLE_COUNT], all;
    totals(ck, per_role, &all);
    printf("\n%-14s  %7s  %14s\n", "role", "tensors", "bytes");
    for (int r = 0; r < KVQ_ROLE_COUNT; r++)
        if (per_role[r].tensors)
            printf("%-14s  %7zu  %14llu\n", kvq_role_name((kvq_role)r), per_role[r].tensors,
                   per_role[r].bytes);
    printf("%-14s  %7zu  %14llu\n", "total", all.tensors, all.bytes);
}

static cJSON *tensor_json(const kvq_checkpoint_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", e->tensor->name);
    cJSON_AddStringToObject(o, "file", e->file);
    cJSON_AddStringToObject(o, "dtype", kvq_dtype_name(e->tensor->dtype));
    cJSON *shape = cJSON_AddArrayToObject(o, "shape");
    for (size_t i = 0; i < e->tensor->ndim; i++)
        cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)e->tensor->shape[i]));
    cJSON_AddStringToObject(o, "role", kvq_role_name(e->cls.role));
    cJSON_AddNumberToObject(o, "layer", e->cls.layer);
    cJSON_AddBoolToObject(o, "transposed", e->cls.transposed);
    cJSON_AddNumberToObject(o, "bytes", (double)e->tensor->nbytes);
    return o;
}

static cJSON *total_json(const role_total *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "tensors", (double)t->tensors);
    cJSON_AddNumberToObject(o, "bytes", (double)t->bytes);
    return o;
}

static int print_json(const kvq_checkpoint *ck)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "path", ck->path);
    cJSON *tensors = cJSON_AddArrayToObject(root, "tensors");
    for (size_t i = 0; i < ck->count; i++)
        cJSON_AddItemToArray(tensors, tensor_json(&ck->entries[i]));
    role_total per_role[KVQ_ROLE_COUNT], all;
    totals(ck, per_role, &all);
    cJSON *roles = cJSON_AddObjectToObject(root, "roles");
    for (int r = 0; r < KVQ_ROLE_COUNT; r++)
        if (per_role[r].tensors)
            cJSON_AddItemToObject(roles, kvq_role_name((kvq_role)r), total_json(&per_role[r]));
    cJSON_AddItemToObject(root, "total", total_json(&all));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) {
        fputs("kvqeval inspect: out of memory\n", stderr);
        return KVQ_EXIT_IO;
    }
    puts(text);
    free(text);
    return KVQ_EXIT_OK;
}

int kvq_inspect_main(int argc, char **argv)
{
    const char *path = NULL, *format = "table";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0) {
            if (++i == argc) return inspect_usage("--format needs a value");
            format = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            kvq_say("kvqeval inspect: unknown flag '%s'", argv[i]);
            return inspect_usage("see the usage below");
        } else if (path) {
            return inspect_usage("give one FILE or DIR");
        } else {
            path = argv[i];
        }
    }
    if (!path) return inspect_usage("missing FILE or DIR");
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        return inspect_usage("--format takes 'table' or 'json'");
    kvq_checkpoint ck;
    kvq_error err;
    if (kvq_checkpoint_open(&ck, path, &err)) {
        kvq_say("kvqeval inspect: %s", err.msg);
        return KVQ_EXIT_USAGE;
    }
    int status = KVQ_EXIT_OK;
    if (strcmp(format, "json") == 0)
        status = print_json(&ck);
    else
        print_table(&ck);
    kvq_checkpoint_close(&ck);
    return status;
}
