/* Numbers as text that reads back exactly: every number kvqeval stores (the cell store, CSV
 * tables) is written with the fewest significant digits (at most 17) for which strtod returns the
 * same double, so a resumed run or a merged table reproduces the bits. */
#ifndef KVQ_NUMTEXT_H
#define KVQ_NUMTEXT_H

#define KVQ_NUMTEXT_MAX 32

/* Writes x into out: an integral value below 10^17 in plain digits ("160"), any other finite value
 * as the shortest %.Ng that round-trips, else "NaN", "Inf" or "-Inf". Returns out. */
char *kvq_numtext(double x, char out[KVQ_NUMTEXT_MAX]);

#endif
