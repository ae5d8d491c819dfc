/* The tensors a run leaves out: for every checkpoint the run's populations were sampled from,
 * each tensor no population of the run covers, with its role and why. A population covers the
 * tensors of its role (of its layer, when it has one), or its one tensor; activation populations
 * of a model cover none. Reasons: a role kvqeval does not encode (norms, biases, unknown
 * "other"), a dtype it does not sample, a tensor of one dimension, or a role no population of the
 * run selected (for a runnable model: a matrix the forward pass does not multiply, like an
 * untied input embedding, is said so). */
#ifndef KVQ_LEFT_OUT_H
#define KVQ_LEFT_OUT_H

#include "harness/run.h"

typedef struct kvq_left_out {
    char source[KVQ_TEXT_MAX];
    char tensor[KVQ_TEXT_MAX];
    const char *role; /* static name */
    char reason[96];
} kvq_left_out;

/* *items: a new array of *count entries (NULL when none). KVQ_ENOMEM; a checkpoint that cannot
 * be opened now is skipped (the manifest's files list says why). */
int kvq_left_out_compute(const kvq_run *run, kvq_left_out **items, size_t *count, kvq_error *err);

#endif
