/* Adjusted p-values for a family of n tests (metrics/multiple.c), as R's p.adjust and statsmodels'
 * multipletests compute them:
 *   Holm (1979), step-down: with p sorted ascending p_(1) <= ... <= p_(n),
 *       adj_(i) = max over j <= i of min(1, (n - j + 1) p_(j));
 *   Benjamini & Hochberg (1995), step-up, the false discovery rate:
 *       adj_(i) = min over j >= i of min(1, n p_(j) / j).
 * Tied p-values get the same adjusted value. A NaN p stays NaN and is left out of the family (n
 * counts the others). out may be p. KVQ_ENOMEM. */
#ifndef KVQ_MULTIPLE_H
#define KVQ_MULTIPLE_H

#include "kvq/error.h"
#include <stddef.h>

int kvq_p_holm(const double *p, size_t n, double *out, kvq_error *err);
int kvq_p_bh(const double *p, size_t n, double *out, kvq_error *err);

#endif
