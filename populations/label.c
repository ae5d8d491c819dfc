/* The short label of a population (include/kvq/population.h). */
#include "kvq/population.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kvq_population_label(const kvq_population *pop, char *out, size_t size)
{
    if (strcmp(pop->source, "synthetic") == 0 || !pop->source[0]) {
        /* synthetic:NAME without its options */
        snprintf(out, size, "%.*s", (int)strcspn(pop->name, "?"), pop->name);
        return;
    }
    /* the file or folder's base name without its extension */
    size_t len = strlen(pop->source);
    while (len > 1 && pop->source[len - 1] == '/') len--;
    size_t start = len;
    while (start > 0 && pop->source[start - 1] != '/') start--;
    size_t end = len;
    for (size_t i = len; i > start; i--)
        if (pop->source[i - 1] == '.') {
            end = i - 1;
            break;
        }
    if (end == start) end = len;
    const char *what =
        pop->from_model && pop->target.kind >= 0 ? pop->tensor : kvq_role_name(pop->role);
    int used = snprintf(out, size, "%.*s:%s", (int)(end - start), pop->source + start, what);
    if (pop->layer >= 0 && used >= 0 && (size_t)used < size)
        snprintf(out + used, size - (size_t)used, "@%d", pop->layer);
}

long kvq_label_layer(const char *label, size_t *family_len)
{
    const char *at = strrchr(label, '@');
    *family_len = at ? (size_t)(at - label) : strlen(label);
    if (!at || at[1] < '0' || at[1] > '9') return -1;
    char *end;
    long layer = strtol(at + 1, &end, 10);
    if (*end) *family_len = strlen(label);
    return *end ? -1 : layer;
}
