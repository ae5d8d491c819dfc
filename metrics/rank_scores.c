/* Spearman's rho and Kendall's tau-b of two float score vectors at once (include/kvq/metrics.h,
 * kvq_rank_correlations_f): the numbers kvq_spearman and kvq_kendall_tau_b give for the same values
 * converted to double, bit for bit, from three stable sorts of 32-bit keys where the two functions
 * sort (double, double) pairs six times. The harness ranks every query's scores of a cell this
 * way, and the chain its vectors (kvq_spearman_f).
 *
 * Each float becomes an unsigned key with the same order (-0 and +0 equal), paired with its index
 * in one 64-bit word (key high, index low), and the words are sorted by key with a stable LSD radix
 * sort of 8-bit digits, digits that are the same for every word skipped:
 *   px, the indices in (x, index) order, and py, in (y, index) order;
 *   pyx, px stably sorted by y: (y, x) order, ties in both keeping the index order (made from py
 *   by sorting its runs of equal y when they are short, yx_from_py, else by a third sort).
 * Spearman walks pyx as kvq_spearman walks its pairs sorted by (y, rank of x): the same runs of
 * equal y, within each the same ranks of x in ascending order, so every sum adds the same terms in
 * the same order (two terms with equal rank of x and equal y are equal). Kendall's tau-b is made of
 * counts, which any exact method gives alike: n1 and n2 from the runs of px and py, n3 by counting
 * the dense ranks of y within each run of equal x, and the discordant pairs d as inversions of the
 * dense ranks of y along px, each run of equal x entering the counts (two levels of 16-bit counters
 * for 256 to 4096 ranks, a Fenwick tree otherwise) only after all its members were counted (pairs
 * tied in x are not discordant, as they are in (x, y) order).
 * Known answer (scipy, as for kvq_spearman and kvq_kendall_tau_b): x = (1, 2, 3, 4, 5),
 * y = (2, 1, 4, 3, 5) gives rho 0.8 and tau_b 0.6. */
#include "kvq/metrics.h"
#include "kvq/vector_clones.h"
#include "metrics/radix.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* An unsigned key whose order is the order of the float f (f finite; -0 and +0 equal). */
static uint32_t order_key(float f)
{
    uint32_t u;
    f += 0.0f; /* -0 becomes +0 */
    memcpy(&u, &f, sizeof u);
    return u >> 31 ? ~u : u | UINT32_C(1) << 31;
}

/* Fills w with (key of v[i], i) for i in order (NULL: 0..n-1) and sorts it by key. */
static void sorted_by(const float *v, const uint64_t *order, size_t n, uint64_t *w, uint64_t *tmp)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t row = order ? (uint32_t)order[i] : i;
        w[i] = (uint64_t)order_key(v[row]) << 32 | row;
    }
    kvq_sort_by_key(w, tmp, n);
}

static size_t row_of(uint64_t w)
{
    return (size_t)(uint32_t)w;
}

/* The end of the run of equal keys in sorted w that starts at i. */
static size_t run_end(const uint64_t *w, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && w[j] >> 32 == w[i] >> 32) j++;
    return j;
}

/* The 1-based average rank of the run of sorted positions [i, end), as kvq_spearman ranks. */
static double average_rank(size_t i, size_t end)
{
    return 0.5 * ((double)i + 1.0 + (double)end);
}

/* The average rank of every row from px, rank_x[row] (n doubles). */
static void ranks_from(const uint64_t *px, size_t n, double *rank_x)
{
    for (size_t i = 0; i < n;) {
        size_t end = run_end(px, n, i);
        double rank = average_rank(i, end);
        for (; i < end; i++) rank_x[row_of(px[i])] = rank;
    }
}

/* Spearman's rho from pyx and the ranks of x (ranks_from). */
static double spearman(const uint64_t *pyx, size_t n, const double *rank_x)
{
    double mean = 0.5 * ((double)n + 1.0), sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (size_t i = 0; i < n;) {
        size_t end = run_end(pyx, n, i);
        double dy = average_rank(i, end) - mean;
        for (; i < end; i++) {
            double dx = rank_x[row_of(pyx[i])] - mean;
            sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
        }
    }
    return sxy / sqrt(sxx * syy);
}

static uint64_t pairs_of(uint64_t t)
{
    return t * (t - 1) / 2;
}

/* For n in [KENDALL_SMALL_MIN, KENDALL_SMALL_MAX] the counts of ranks above take two levels of
 * 16-bit counters instead of the Fenwick tree: KENDALL_BLOCKS blocks of KENDALL_BLOCK ranks,
 * top[b] the count of the ranks added in blocks b.. (top[KENDALL_BLOCKS] = 0), low[b * BLOCK + t]
 * that of the ranks added to block b at positions t... A rank adds one to a prefix of each level,
 * a few vector additions of fixed length without a branch, and a count reads one counter of each,
 * where the Fenwick tree's walks of varying length wait on the counters the element before just
 * wrote. The levels, aligned, fit in the tree's n + 1 words from KENDALL_SMALL_MIN. */
#define KENDALL_BLOCK 64
#define KENDALL_BLOCKS 64
#define KENDALL_SMALL_MIN 256
#define KENDALL_SMALL_MAX (KENDALL_BLOCK * KENDALL_BLOCKS)
#define KENDALL_TOP (KENDALL_BLOCKS + 16) /* top's length: padded past top[KENDALL_BLOCKS] */

/* The levels for n ranks in tree, zeroed: top from the first 64-byte boundary (so that no vector
 * of counters straddles two cache lines), then low with one spare counter after it. */
static uint16_t *rank_counts_init(uint32_t *tree, size_t n)
{
    size_t nb = (n + KENDALL_BLOCK - 1) / KENDALL_BLOCK;
    uint16_t *top = (uint16_t *)(((uintptr_t)tree + 63) & ~(uintptr_t)63);
    memset(top, 0, (KENDALL_TOP + nb * KENDALL_BLOCK + 1) * sizeof *top);
    return top;
}

static inline void rank_counts_add(uint16_t *restrict top, uint16_t *restrict low, uint32_t rank)
{
    uint32_t b = rank / KENDALL_BLOCK, t = rank % KENDALL_BLOCK;
    uint16_t *restrict in = low + b * KENDALL_BLOCK;
    for (uint32_t k = 0; k < KENDALL_BLOCKS; k++) top[k] += (uint16_t)(k <= b);
    for (uint32_t k = 0; k < KENDALL_BLOCK; k++) in[k] += (uint16_t)(k <= t);
}

/* The count of the ranks above rank added so far (low[t + 1] of the last position of a block is
 * the next block's first counter, or the spare one, and counts for nothing). */
static inline uint32_t rank_counts_above(const uint16_t *top, const uint16_t *low, uint32_t rank)
{
    uint32_t b = rank / KENDALL_BLOCK, t = rank % KENDALL_BLOCK;
    return (uint32_t)top[b + 1] + (uint32_t)low[rank + 1] * (t + 1 < KENDALL_BLOCK);
}

/* A Fenwick tree over the ranks 1..n in tree[1..n] for the other n. */
static uint32_t fenwick_not_above(const uint32_t *tree, uint32_t rank)
{
    uint32_t not_above = 0;
    for (size_t j = (size_t)rank + 1; j > 0; j -= j & (~j + 1)) not_above += tree[j];
    return not_above;
}

static void fenwick_add(uint32_t *tree, size_t n, uint32_t rank)
{
    for (size_t j = (size_t)rank + 1; j <= n; j += j & (~j + 1)) tree[j]++;
}

/* Kendall's tau-b from px and py; dense, tree (n + 1) and tally: n words of scratch each. */
KVQ_VECTOR_CLONES static double kendall(const uint64_t *px, const uint64_t *py, size_t n,
                                        uint32_t *dense, uint32_t *tree, uint32_t *tally)
{
    uint64_t n1 = 0, n2 = 0, n3 = 0, d = 0;
    uint32_t rank = 0;
    for (size_t i = 0; i < n; rank++) {
        size_t end = run_end(py, n, i);
        n2 += pairs_of(end - i);
        for (; i < end; i++) dense[row_of(py[i])] = rank;
    }
    int small = n >= KENDALL_SMALL_MIN && n <= KENDALL_SMALL_MAX;
    uint16_t *top = small ? rank_counts_init(tree, n) : NULL,
             *low = small ? top + KENDALL_TOP : NULL;
    if (!small) memset(tree, 0, (n + 1) * sizeof *tree);
    memset(tally, 0, n * sizeof *tally);
    for (size_t i = 0; i < n;) {
        size_t end = run_end(px, n, i);
        n1 += pairs_of(end - i);
        for (size_t k = i; k < end; k++) { /* earlier runs above this rank: discordant */
            uint32_t r = dense[row_of(px[k])];
            d += small ? rank_counts_above(top, low, r) : i - fenwick_not_above(tree, r);
        }
        for (size_t k = i; end - i > 1 && k < end; k++) n3 += tally[dense[row_of(px[k])]]++;
        for (size_t k = i; end - i > 1 && k < end; k++) tally[dense[row_of(px[k])]] = 0;
        for (; i < end; i++)
            if (small)
                rank_counts_add(top, low, dense[row_of(px[i])]);
            else
                fenwick_add(tree, n, dense[row_of(px[i])]);
    }
    double n0 = 0.5 * (double)n * ((double)n - 1.0);
    double num = n0 - (double)n1 - (double)n2 + (double)n3 - 2.0 * (double)d;
    return num / sqrt((n0 - (double)n1) * (n0 - (double)n2));
}

/* 1 when all n values are finite and at least two differ (kvq_values_vary on the doubles). */
static int vary(const float *v, size_t n)
{
    int differs = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) return 0;
        differs |= v[i] != v[0];
    }
    return differs;
}

/* The regions of work (KVQ_RANK_CORRELATIONS_WORK(n) bytes) and the sorts both statistics use;
 * sorted_y says whether py holds y's sort (kvq_sorted_top_k). */
typedef struct ranks {
    uint64_t *sorted_y, *px, *py, *pyx, *tmp;
    double *rank_x;
    uint32_t *dense, *tree, *tally;
} ranks;

static ranks carve(void *work, size_t n)
{
    assert(n < UINT32_MAX); /* an index fits the low word, a count of ranks the tree */
    ranks r;
    r.sorted_y = work;
    r.px = r.sorted_y + 1, r.py = r.px + n, r.pyx = r.py + n, r.tmp = r.pyx + n;
    r.rank_x = (double *)(r.tmp + n);
    r.dense = (uint32_t *)(r.rank_x + n), r.tree = r.dense + n, r.tally = r.tree + n + 1;
    return r;
}

double kvq_spearman_f(const float *x, const float *y, size_t n, void *work)
{
    *(uint64_t *)work = 0; /* y's sort below is not py */
    if (n < 2 || !vary(x, n) || !vary(y, n)) return NAN;
    ranks r = carve(work, n);
    sorted_by(x, NULL, n, r.px, r.tmp);
    sorted_by(y, r.px, n, r.pyx, r.tmp);
    ranks_from(r.px, n, r.rank_x);
    return spearman(r.pyx, n, r.rank_x);
}

double kvq_spearman_ranked_f(const void *ranks_x, const float *y, size_t n, void *work)
{
    const uint64_t *varies = ranks_x, *px = varies + 1;
    *(uint64_t *)work = 0; /* y's sort below is not py */
    if (!*varies || !vary(y, n)) return NAN;
    ranks r = carve(work, n);
    sorted_by(y, px, n, r.pyx, r.tmp);
    return spearman(r.pyx, n, (const double *)(px + n));
}

/* Runs of equal y longer than this make (y, x) order by a second sort instead of from py. */
#define SHORT_RUN 32

/* pyx, px stably sorted by y, from py (y's sort, ties in index order) when y's runs of equal
 * values are short: px orders rows by (x, index), and so does (rank_x, index), so each run of py
 * sorted stably by rank_x is that run of pyx. Returns 0, leaving pyx unfinished, when a run is
 * longer than SHORT_RUN. */
static int yx_from_py(const uint64_t *py, const double *rank_x, size_t n, uint64_t *pyx)
{
    memcpy(pyx, py, n * sizeof *pyx);
    for (size_t i = 0; i < n;) {
        size_t end = run_end(pyx, n, i);
        if (end - i > SHORT_RUN) return 0;
        for (size_t k = i + 1; k < end; k++) { /* insertion sort of the run */
            uint64_t w = pyx[k];
            double rw = rank_x[row_of(w)];
            size_t at = k;
            for (; at > i && rank_x[row_of(pyx[at - 1])] > rw; at--) pyx[at] = pyx[at - 1];
            pyx[at] = w;
        }
        i = end;
    }
    return 1;
}

/* Both statistics from x's sort px and ranks rank_x, x known to vary; r: y's scratch. */
static void correlations(const uint64_t *px, const double *rank_x, const float *y, size_t n,
                         ranks *r, double *rho, double *tau_b)
{
    if (!vary(y, n)) return;
    sorted_by(y, NULL, n, r->py, r->tmp);
    *r->sorted_y = 1;
    if (!yx_from_py(r->py, rank_x, n, r->pyx)) sorted_by(y, px, n, r->pyx, r->tmp);
    *rho = spearman(r->pyx, n, rank_x);
    *tau_b = kendall(px, r->py, n, r->dense, r->tree, r->tally);
}

void kvq_rank_correlations_f(const float *x, const float *y, size_t n, void *work, double *rho,
                             double *tau_b)
{
    *rho = *tau_b = NAN;
    *(uint64_t *)work = 0;
    if (n < 2 || !vary(x, n)) return;
    ranks r = carve(work, n);
    sorted_by(x, NULL, n, r.px, r.tmp);
    ranks_from(r.px, n, r.rank_x);
    correlations(r.px, r.rank_x, y, n, &r, rho, tau_b);
}

/* kvq_ranks_of_f's bytes: a flag (x varies, n >= 2), px, rank_x. */
void kvq_ranks_of_f(const float *x, size_t n, void *ranks_x)
{
    uint64_t *varies = ranks_x, *px = varies + 1;
    double *rank_x = (double *)(px + n);
    *varies = n >= 2 && vary(x, n);
    if (!*varies) return;
    sorted_by(x, NULL, n, px, (uint64_t *)rank_x); /* rank_x is the sort's scratch first */
    ranks_from(px, n, rank_x);
}

void kvq_rank_correlations_ranked_f(const void *ranks_x, const float *y, size_t n, void *work,
                                    double *rho, double *tau_b)
{
    const uint64_t *varies = ranks_x, *px = varies + 1;
    *rho = *tau_b = NAN;
    *(uint64_t *)work = 0;
    if (!*varies) return;
    ranks r = carve(work, n);
    correlations(px, (const double *)(px + n), y, n, &r, rho, tau_b);
}

int kvq_sorted_top_k(const void *work, const float *y, size_t n, size_t k, size_t *top, float *kth)
{
    ranks r = carve((void *)work, n);
    const uint64_t *py = r.py;
    if (!*r.sorted_y || k == 0 || k > n) return 0;
    *kth = y[row_of(py[n - k])];
    /* runs of equal values from the highest down, each in ascending row order */
    size_t taken = 0;
    for (size_t end = n; top && taken < k;) {
        size_t start = end - 1;
        while (start > 0 && py[start - 1] >> 32 == py[end - 1] >> 32) start--;
        for (size_t i = start; i < end && taken < k; i++) top[taken++] = row_of(py[i]);
        end = start;
    }
    return 1;
}
