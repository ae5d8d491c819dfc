/* The psychometric layer's data, for re-analysis with other software (R psych, irr, pingouin):
 *   subjects.csv  population,subject,query,row,stratum,weight,exact_score,exact_top_decile
 *                 one row per subject: a (query, row) pair of the population (query and row index
 *                 its held-out queries and its sampled rows), the stratum it was drawn from
 *                 ("top10": one of the query's exact best rows; "uniform": drawn uniformly without
 *                 replacement from the query's other rows; harness/reference.h), its weight (the
 *                 inverse of its inclusion probability among the query's rows: 1 in top10), its
 *                 exact score and whether its row is in the query's exact top decile;
 *   ratings.csv   population,subject,VARIANT... one row per subject, one column per codec variant
 *                 of the run: the codec's score of the subject (empty where the cell failed or was
 *                 skipped). The items of reliability.csv are the variants with every score.
 *   replicates.csv  population,subject,variant,fit,score (with --replicates R > 1 only): the
 *                 score of every subject by every fit 2..R of each variant whose cell succeeded
 *                 (fit 1's are ratings.csv's), the data of gtheory.csv;
 *   queries.csv   population,variant,query,pearson,spearman,kendall_tau_b,recall@1,recall@10,
 *                 recall@100,attn_kl,attn_top1: one row per query of every cell that ran, its
 *                 value of each query-averaged metric (empty where undefined: a query whose scores
 *                 are constant has no correlation, a population of fewer than k rows no
 *                 recall@k). A cell's metric is the mean of its column over the defined queries.
 *                 Written before the epiphany table, whose paired comparisons read it.
 *   samples.csv   population,set,index,source_row,layer,seq,pos,head: one row per sampled row
 *                 (set "row") and held-out query ("query") of each population, index its place
 *                 in the population (the row and query numbers of subjects.csv and queries.csv),
 *                 source_row where it was drawn from (its index among the rows of the selected
 *                 tensors, in their order; a generator's output order), and for a model's vectors
 *                 their layer, sequence, position and head (empty where not known).
 * Numbers are written with the fewest digits that read back to the same double. */
#include "io/atomic_file.h"
#include "io/csv.h"
#include "report/writers.h"

#include <math.h>
#include <stdio.h>

static void write_subjects(FILE *f, const kvq_run *run)
{
    fputs("population,subject,query,row,stratum,weight,exact_score,exact_top_decile\n", f);
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_reference *ref = &run->refs[p];
        for (size_t s = 0; s < ref->nsubjects; s++) {
            kvq_csv_text(f, run->pops[p].name);
            int stratum = ref->subject_stratum[s];
            fprintf(f, ",%zu,%u,%u,%s,", s, (unsigned)ref->subject_query[s],
                    (unsigned)ref->subject_row[s], kvq_stratum_names[stratum]);
            kvq_csv_number(f, ref->stratum_weight[stratum]);
            fputc(',', f);
            kvq_csv_number(f, ref->subject_exact[s]);
            fprintf(f, ",%u\n", (unsigned)ref->subject_top[s]);
        }
    }
}

static void write_ratings(FILE *f, const kvq_run *run)
{
    fputs("population,subject", f);
    for (size_t v = 0; v < run->spec.nvariants; v++)
        fputc(',', f), kvq_csv_text(f, run->spec.variants[v]);
    fputc('\n', f);
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_reference *ref = &run->refs[p];
        for (size_t s = 0; s < ref->nsubjects; s++) {
            kvq_csv_text(f, run->pops[p].name);
            fprintf(f, ",%zu", s);
            for (size_t v = 0; v < run->spec.nvariants; v++) {
                const kvq_cell *c = kvq_run_cell(run, p, v);
                fputc(',', f);
                if (c->status == KVQ_OK && !c->skipped && c->nsubjects == ref->nsubjects)
                    kvq_csv_number(f, c->subject_score[s]);
            }
            fputc('\n', f);
        }
    }
}

/* One population's rows or queries: count entries with their sources and origins (either may be
 * NULL). */
static void write_set(FILE *f, const kvq_population *pop, const char *set, size_t count,
                      const size_t *source, const kvq_origin *origin)
{
    for (size_t i = 0; i < count; i++) {
        kvq_csv_text(f, pop->name);
        fprintf(f, ",%s,%zu,", set, i);
        if (source) fprintf(f, "%zu", source[i]);
        if (origin)
            fprintf(f, ",%d,%d,%d,%d\n", (int)origin[i].layer, (int)origin[i].seq,
                    (int)origin[i].pos, (int)origin[i].head);
        else
            fputs(",,,,\n", f);
    }
}

static void write_replicates(FILE *f, const kvq_run *run)
{
    fputs("population,subject,variant,fit,score\n", f);
    for (size_t i = 0; i < run->ncells; i++) {
        const kvq_cell *c = &run->cells[i];
        if (c->status != KVQ_OK || c->nreplicates < 2) continue;
        for (size_t r = 1; r < c->nreplicates; r++)
            for (size_t s = 0; s < c->nsubjects; s++) {
                kvq_csv_text(f, run->pops[c->population].name);
                fprintf(f, ",%zu,", s);
                kvq_csv_text(f, c->variant);
                fprintf(f, ",%zu,", r + 1);
                kvq_csv_number(f, c->replicate_score[(r - 1) * c->nsubjects + s]);
                fputc('\n', f);
            }
    }
}

static void write_samples(FILE *f, const kvq_run *run)
{
    fputs("population,set,index,source_row,layer,seq,pos,head\n", f);
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_population *pop = &run->pops[p];
        write_set(f, pop, "row", pop->n, pop->row_source, pop->row_origin);
        write_set(f, pop, "query", pop->nq, pop->query_source, pop->query_origin);
    }
}

static void write_queries(FILE *f, const kvq_run *run)
{
    fputs("population,variant,query", f);
    for (size_t m = 0; m < KVQ_QUERY_METRICS; m++) fprintf(f, ",%s", kvq_query_metric_names[m]);
    fputc('\n', f);
    for (size_t i = 0; i < run->ncells; i++) {
        const kvq_cell *c = &run->cells[i];
        if (c->status != KVQ_OK || !c->query_values) continue;
        for (size_t q = 0; q < c->nqueries; q++) {
            kvq_csv_text(f, run->pops[c->population].name);
            fputc(',', f);
            kvq_csv_text(f, c->variant);
            fprintf(f, ",%zu", q);
            for (size_t m = 0; m < KVQ_QUERY_METRICS; m++) {
                double x = c->query_values[m * c->nqueries + q];
                fputc(',', f);
                if (isfinite(x)) kvq_csv_number(f, x);
            }
            fputc('\n', f);
        }
    }
}

int kvq_write_subjects_csv(const kvq_run *run, kvq_error *err)
{
    kvq_afile a;
    int rc = kvq_afile_open_in(&a, run->dir, "subjects.csv", err);
    if (rc) return rc;
    write_subjects(a.f, run);
    if ((rc = kvq_afile_commit(&a, err))) return rc;
    if ((rc = kvq_afile_open_in(&a, run->dir, "ratings.csv", err))) return rc;
    write_ratings(a.f, run);
    if ((rc = kvq_afile_commit(&a, err))) return rc;
    if (run->spec.replicates > 1) {
        if ((rc = kvq_afile_open_in(&a, run->dir, "replicates.csv", err))) return rc;
        write_replicates(a.f, run);
        if ((rc = kvq_afile_commit(&a, err))) return rc;
    }
    if ((rc = kvq_afile_open_in(&a, run->dir, "samples.csv", err))) return rc;
    write_samples(a.f, run);
    return kvq_afile_commit(&a, err);
}

int kvq_write_queries_csv(const kvq_run *run, kvq_error *err)
{
    kvq_afile a;
    int rc = kvq_afile_open_in(&a, run->dir, "queries.csv", err);
    if (rc) return rc;
    write_queries(a.f, run);
    return kvq_afile_commit(&a, err);
}
