/* report.md's section on the strata of subjects (report/report_long.h): do the codecs agree as
 * well at each query's head of the ranking as on uniformly drawn rows? From reliability.csv. */
#include "harness/reference.h"
#include "report/report_long.h"

#include <math.h>

static void number(FILE *f, double x)
{
    if (isnan(x))
        fputs(" – |", f);
    else
        fprintf(f, " %.4f |", x);
}

void kvq_report_strata(FILE *f, const kvq_run *run)
{
    kvq_long_table l;
    if (kvq_long_read(run, "reliability.csv", &l)) return;
    fprintf(f,
            "\n## The ranking head against uniform rows\n\nEach query's subjects are its %d "
            "exact best rows (stratum `top10`) and %d rows drawn uniformly from the others "
            "(`uniform`; `subjects.csv`). Cronbach's alpha and the absolute-agreement ICC "
            "(ICC2) among all codecs, on all subjects and on each stratum alone "
            "(`reliability.csv` analyses `alpha`, `alpha_top10`, `alpha_uniform`, `icc_all`, "
            "...):\n\n| population | alpha | alpha top10 | alpha uniform | ICC2 | ICC2 top10 | "
            "ICC2 uniform |\n|---|---|---|---|---|---|---|\n",
            KVQ_SUBJECTS_TOP, KVQ_SUBJECTS_UNIFORM);
    static const char *const suffix[] = {"", "_top10", "_uniform"};
    for (size_t p = 0; p < run->npops; p++) {
        const char *pop = run->pops[p].name;
        fprintf(f, "| P%zu `%s` |", p + 1, pop);
        for (int t = 0; t < 3; t++) {
            char analysis[32];
            snprintf(analysis, sizeof analysis, "alpha%s", suffix[t]);
            number(f, kvq_long_value(&l, pop, analysis, "", "raw_alpha"));
        }
        for (int t = 0; t < 3; t++) {
            char analysis[32];
            snprintf(analysis, sizeof analysis, "icc_all%s", suffix[t]);
            number(f, kvq_long_value(&l, pop, analysis, "", "ICC2"));
        }
        fputc('\n', f);
    }
    kvq_csv_free(&l.t);
}
