/* A cell's record (harness/cell.h): its metrics and what it keeps for the analyses. */
#include "harness/cell.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kvq_cell_metric_names[] = {"pearson",
                                             "spearman",
                                             "kendall_tau_b",
                                             "n_queries_defined",
                                             "recall@1",
                                             "recall@10",
                                             "recall@100",
                                             "score_bias",
                                             "score_rmse",
                                             "rel_mse",
                                             "cosine",
                                             "mae",
                                             "rmse",
                                             "bias",
                                             "max_abs",
                                             "p99_abs",
                                             "identity",
                                             "identity_ceiling",
                                             "identity_near_duplicates",
                                             "bytes_per_row",
                                             "shared_bytes",
                                             "bits_per_coord",
                                             "bits_per_coord_total",
                                             "degenerate",
                                             "ratio_vs_f32",
                                             "ratio_vs_bf16",
                                             "encode_rows_per_s",
                                             "score_rows_per_s",
                                             "chain_depth",
                                             "chain_rho_final",
                                             "attn_kl",
                                             "attn_top1",
                                             "attn_out_rel_err",
                                             "next_kl",
                                             "next_kl_p99",
                                             "next_top1",
                                             "delta_nll",
                                             "alpha_if_deleted",
                                             "item_total_r",
                                             "icc2_vs_exact",
                                             "icc3_vs_exact",
                                             "kappa_top_decile",
                                             "kappa_quintile",
                                             "factor1_loading",
                                             NULL};

const char *const kvq_cell_phase_names[KVQ_PHASES] = {"fit",     "encode", "score",
                                                      "metrics", "chain",  "criterion"};

const char *const kvq_query_metric_names[KVQ_QUERY_METRICS] = {
    "pearson",   "spearman",   "kendall_tau_b", "recall@1",
    "recall@10", "recall@100", "attn_kl",       "attn_top1"};

int kvq_query_metric_index(const char *name)
{
    for (int m = 0; m < KVQ_QUERY_METRICS; m++)
        if (strcmp(kvq_query_metric_names[m], name) == 0) return m;
    return -1;
}

const char *kvq_cell_status_name(const kvq_cell *cell)
{
    return !cell->status ? "ok" : cell->skipped ? "skipped" : "failed";
}

int kvq_cell_failed(const kvq_cell *cell)
{
    return cell->status && !cell->skipped;
}

int kvq_cell_metric_known(const char *name)
{
    for (const char *const *m = kvq_cell_metric_names; *m; m++)
        if (strcmp(*m, name) == 0) return 1;
    return 0;
}

void kvq_cell_add(kvq_cell *cell, const char *name, double value, double ci_low, double ci_high)
{
    assert(kvq_cell_metric_known(name));
    if (cell->nmetrics == KVQ_CELL_METRICS_MAX) return;
    kvq_metric_value *m = &cell->metrics[cell->nmetrics++];
    snprintf(m->name, sizeof m->name, "%s", name);
    m->value = value;
    m->ci_low = ci_low;
    m->ci_high = ci_high;
    m->rep_low = m->rep_high = NAN;
}

double kvq_cell_metric(const kvq_cell *cell, const char *name)
{
    for (size_t i = 0; i < cell->nmetrics; i++)
        if (strcmp(cell->metrics[i].name, name) == 0) return cell->metrics[i].value;
    return NAN;
}

void kvq_cell_free(kvq_cell *cell)
{
    free(cell->subject_score);
    free(cell->subject_top);
    free(cell->query_values);
    free(cell->replicate_score);
    cell->replicate_score = NULL;
    cell->nreplicates = 0;
    cell->subject_score = NULL;
    cell->subject_top = NULL;
    cell->query_values = NULL;
    cell->nsubjects = 0;
    cell->nqueries = 0;
}

void kvq_cell_note(kvq_cell *cell, const char *fmt, ...)
{
    size_t used = strlen(cell->note);
    if (used && used + 2 < sizeof cell->note) memcpy(cell->note + used, "; ", 3), used += 2;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cell->note + used, sizeof cell->note - used, fmt, ap);
    va_end(ap);
}
