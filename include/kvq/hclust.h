/* Agglomerative hierarchical clustering with average linkage (UPGMA), as R's
 * hclust(d, method = "average"): items start as singletons; each step merges the two clusters
 * whose dissimilarity is least, and the dissimilarity of the merged cluster to any other is the
 * size-weighted mean of its parts' (Lance & Williams 1967), so it is the mean dissimilarity over
 * every pair of items across the two clusters. Definition in README, "Metrics".
 */
#ifndef KVQ_HCLUST_H
#define KVQ_HCLUST_H

#include "kvq/error.h"
#include <stddef.h>

typedef struct kvq_hclust {
    size_t k;       /* items */
    long *merge;    /* (k - 1) x 2, row-major, in R's convention: step s (1-based) joins merge[2s-2]
                       and merge[2s-1], where -i is the item i (1-based) and +j the cluster made at
                       step j; two items: the lower index first; an item and a cluster: the item
                       first; two clusters: the earlier step first */
    double *height; /* k - 1: the dissimilarity at which each step merged (non-decreasing) */
    size_t *order;  /* k: the items (0-based) from left to right in the dendrogram, each step's
                       first part left of its second (R's $order, less one) */
} kvq_hclust;

/* Clusters the k items of dist (k x k, row-major, symmetric, only the part above the diagonal is
 * read; every value finite). Among equal least dissimilarities the pair (i, j), i < j, that comes
 * first in row-major order merges first, and the merged cluster takes the place of item i (as R's
 * Fortran). k == 0 or a non-finite dissimilarity -> KVQ_EINVAL; KVQ_ENOMEM. On success out owns
 * its arrays (kvq_hclust_free); on failure it owns nothing. k == 1 gives no merge. */
int kvq_hclust_average(const double *dist, size_t k, kvq_hclust *out, kvq_error *err);

/* The clusters of the tree cut at height h (R's cutree(tree, h = h)): the merges whose height is
 * <= h are made, the others not. cluster[i] (k values) receives the cluster of item i, numbered
 * from 1 in order of each cluster's first item. Returns the number of clusters. */
size_t kvq_hclust_cut(const kvq_hclust *tree, double h, size_t *cluster);

void kvq_hclust_free(kvq_hclust *tree);

#endif
