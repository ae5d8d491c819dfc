/* Numbers as text that reads back exactly: every number kvqeval stores (the cell store, CSV
 * tables) is written with the fewest significant digits (at most 17) for which strtod returns the
 * same double, so a resumed run or a merged table reproduces the bits. */
#ifndef KVQ_NUMTEXT_H
#define KVQ_NUMTEXT_H

#define KVQ_NUMTEXT_MAX 32

/* Writes x into out: the shortest %.Ng that round-trips when x is finite, else "NaN", "Inf" or
 * "-Inf". Returns out. */
char *kvq_numtext(double x, char out[KVQ_NUMTEXT_MAX]);

#endif
