/* The psychometric layer's data, for re-analysis with other software (R psych, irr, pingouin):
 *   subjects.csv  population,subject,query,row,stratum,exact_score,exact_top_decile
 *                 one row per subject: a (query, row) pair of the population (query and row index
 *                 its held-out queries and its sampled rows), the stratum it was drawn from
 *                 ("uniform": rows drawn uniformly, every query equally often), its exact score
 *                 and whether its row is in the query's exact top decile;
 *   ratings.csv   population,subject,VARIANT... one row per subject, one column per codec variant
 *                 of the run: the codec's score of the subject (empty where the cell failed or was
 *                 skipped). The items of reliability.csv are the variants with every score.
 * Numbers are written with the fewest digits that read back to the same double. */
#include "io/atomic_file.h"
#include "io/csv.h"
#include "report/writers.h"

#include <stdio.h>

static void write_subjects(FILE *f, const kvq_run *run)
{
    fputs("population,subject,query,row,stratum,exact_score,exact_top_decile\n", f);
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_reference *ref = &run->refs[p];
        for (size_t s = 0; s < ref->nsubjects; s++) {
            kvq_csv_text(f, run->pops[p].name);
            fprintf(f, ",%zu,%u,%u,uniform,", s, (unsigned)ref->subject_query[s],
                    (unsigned)ref->subject_row[s]);
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

int kvq_write_subjects_csv(const kvq_run *run, kvq_error *err)
{
    kvq_afile a;
    int rc = kvq_afile_open_in(&a, run->dir, "subjects.csv", err);
    if (rc) return rc;
    write_subjects(a.f, run);
    if ((rc = kvq_afile_commit(&a, err))) return rc;
    if ((rc = kvq_afile_open_in(&a, run->dir, "ratings.csv", err))) return rc;
    write_ratings(a.f, run);
    return kvq_afile_commit(&a, err);
}
