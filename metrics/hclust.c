/* Average-linkage hierarchical clustering (include/kvq/hclust.h), the algorithm of R's hclust
 * (F. Murtagh's Fortran HCLUST and HCASS2, "Multidimensional Clustering Algorithms", 1985): the
 * least dissimilarity merges, the merged cluster's dissimilarities are updated by the
 * Lance-Williams formula for the group average, (n_i d_im + n_j d_jm) / (n_i + n_j), and the merges
 * and the leaf order are written in R's convention. A global scan for the least dissimilarity
 * replaces the Fortran's nearest-neighbour list (O(k^3) instead of O(k^2) on average; the same
 * merges, ties included).
 * Known answer (tests/test_error_structure.c, from R): on the distances 1 - r of
 * tests/golden/error_structure.csv, hclust(as.dist(1 - cor(x)), "average") merges, heights and
 * order. */
#include "kvq/hclust.h"

#include <math.h>
#include <stdlib.h>

void kvq_hclust_free(kvq_hclust *tree)
{
    free(tree->merge);
    free(tree->height);
    free(tree->order);
    *tree = (kvq_hclust){0};
}

/* The pair (i, j), i < j, of active slots with the least dissimilarity (the first in row-major
 * order among equals). */
static double closest(const double *d, const unsigned char *active, size_t k, size_t *bi,
                      size_t *bj)
{
    double best = INFINITY;
    for (size_t i = 0; i < k; i++) {
        if (!active[i]) continue;
        for (size_t j = i + 1; j < k; j++)
            if (active[j] && d[i * k + j] < best) best = d[i * k + j], *bi = i, *bj = j;
    }
    return best;
}

/* Joins slot j into slot i (i < j): the group average of their dissimilarities to every other
 * active slot, kept above the diagonal. */
static void join(double *d, const unsigned char *active, const size_t *size, size_t k, size_t i,
                 size_t j)
{
    double ni = (double)size[i], nj = (double)size[j];
    for (size_t m = 0; m < k; m++) {
        if (!active[m] || m == i || m == j) continue;
        double *dim = m < i ? &d[m * k + i] : &d[i * k + m];
        double djm = m < j ? d[m * k + j] : d[j * k + m];
        *dim = (ni * *dim + nj * djm) / (ni + nj);
    }
}

/* Step s's parts in R's order: two items lower first; an item before a cluster; two clusters
 * earlier first. */
static void record(long *merge, long a, long b)
{
    if ((a > 0 && b < 0) || (a > 0 && b > 0 && a > b)) {
        long t = a;
        a = b, b = t;
    }
    merge[0] = a, merge[1] = b;
}

/* The leaves under the last merge, left to right (each step's first part left of its second). */
static void leaf_order(kvq_hclust *t, long *stack)
{
    size_t top = 0, n = 0;
    stack[top++] = (long)t->k - 1; /* the root: the last step */
    while (top) {
        long node = stack[--top];
        if (node < 0) {
            t->order[n++] = (size_t)(-node - 1);
            continue;
        }
        stack[top++] = t->merge[2 * (node - 1) + 1];
        stack[top++] = t->merge[2 * (node - 1)];
    }
}

int kvq_hclust_average(const double *dist, size_t k, kvq_hclust *out, kvq_error *err)
{
    if (k == 0) return kvq_fail(err, KVQ_EINVAL, "hclust: no items");
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++)
            if (!isfinite(dist[i * k + j]))
                return kvq_fail(err, KVQ_EINVAL,
                                "hclust: dissimilarity of items %zu and %zu is not finite", i + 1,
                                j + 1);
    kvq_hclust t = {.k = k};
    double *d = malloc(k * k * sizeof *d);
    size_t *size = malloc(k * sizeof *size);
    unsigned char *active = malloc(k);
    long *label = malloc(k * sizeof *label); /* what each slot holds, in R's numbering */
    t.merge = malloc(2 * k * sizeof *t.merge);
    t.height = malloc(k * sizeof *t.height);
    t.order = malloc(k * sizeof *t.order);
    int rc = d && size && active && label && t.merge && t.height && t.order
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "hclust: no memory for %zu items", k);
    for (size_t i = 0; !rc && i < k * k; i++) d[i] = dist[i];
    for (size_t i = 0; !rc && i < k; i++) size[i] = 1, active[i] = 1, label[i] = -(long)i - 1;
    for (size_t s = 1; !rc && s < k; s++) {
        size_t i = 0, j = 0;
        t.height[s - 1] = closest(d, active, k, &i, &j);
        record(&t.merge[2 * (s - 1)], label[i], label[j]);
        join(d, active, size, k, i, j);
        size[i] += size[j], active[j] = 0, label[i] = (long)s;
    }
    if (!rc && k == 1) t.order[0] = 0;
    if (!rc && k > 1) leaf_order(&t, label); /* label: free now, k entries suffice as the stack */
    free(d), free(size), free(active), free(label);
    if (rc)
        kvq_hclust_free(&t);
    else
        *out = t;
    return rc;
}

/* An item of part (R's numbering: -i an item, +j the cluster of step j): its first leaf. */
static size_t some_item(const kvq_hclust *tree, long part)
{
    while (part > 0) part = tree->merge[2 * (part - 1)];
    return (size_t)(-part - 1);
}

/* The root of item i in the forest parent, where every parent is a lower item than its child. */
static size_t root(const size_t *parent, size_t i)
{
    while (parent[i] != i) i = parent[i];
    return i;
}

size_t kvq_hclust_cut(const kvq_hclust *tree, double h, size_t *cluster)
{
    size_t k = tree->k, n = 0;
    /* cluster[] holds a union-find forest first, each cluster rooted at its lowest item */
    for (size_t i = 0; i < k; i++) cluster[i] = i;
    for (size_t s = 0; s + 1 < k && tree->height[s] <= h; s++) {
        size_t a = root(cluster, some_item(tree, tree->merge[2 * s]));
        size_t b = root(cluster, some_item(tree, tree->merge[2 * s + 1]));
        if (a < b)
            cluster[b] = a;
        else
            cluster[a] = b;
    }
    for (size_t i = 0; i < k; i++) cluster[i] = cluster[cluster[i]]; /* each to its root */
    /* numbered from the lowest item up: a root gets the next number (kept above k - 1 until every
     * item is done), any other item its root's, which is lower and numbered already */
    for (size_t i = 0; i < k; i++) cluster[i] = cluster[i] == i ? k + ++n : cluster[cluster[i]];
    for (size_t i = 0; i < k; i++) cluster[i] -= k;
    return n;
}
