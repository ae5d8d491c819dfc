/* report.md's section on the G studies (report/report_long.h, analysis/generalizability.h): what
 * a subject's score depends on, from gtheory.csv. */
#include "kvq/gtheory.h"
#include "report/report_long.h"

#include <math.h>
#include <string.h>

/* The three largest variance components of pop's study analysis, "p:q 85.2%, ...". */
static void largest(FILE *f, const kvq_long_table *l, const char *pop, const char *analysis)
{
    double share[KVQ_GT_EFFECTS];
    for (int e = 0; e < KVQ_GT_EFFECTS; e++) {
        char name[32];
        snprintf(name, sizeof name, "share_%s", kvq_gtheory_effect_name((kvq_gtheory_effect)e));
        share[e] = kvq_long_value(l, pop, analysis, "", name);
    }
    for (int k = 0; k < 3; k++) {
        int best = -1;
        for (int e = 0; e < KVQ_GT_EFFECTS; e++)
            if (!isnan(share[e]) && (best < 0 || share[e] > share[best])) best = e;
        if (best < 0) break;
        fprintf(f, "%s%s %.1f%%", k ? ", " : " ", kvq_gtheory_effect_name((kvq_gtheory_effect)best),
                100.0 * share[best]);
        share[best] = NAN;
    }
    fputs(" |", f);
}

/* The effects of pop's study analysis whose estimate was negative and set to 0. */
static void negatives(FILE *f, const kvq_long_table *l, const char *pop, const char *analysis)
{
    int any = 0;
    for (int e = 0; e < KVQ_GT_EFFECTS; e++) {
        char name[32];
        const char *effect = kvq_gtheory_effect_name((kvq_gtheory_effect)e);
        snprintf(name, sizeof name, "negative_%s", effect);
        if (kvq_long_value(l, pop, analysis, "", name) == 1.0)
            fprintf(f, "%s%s", any++ ? ", " : " ", effect);
    }
    fputs(any ? " |" : " none |", f);
}

void kvq_report_gtheory(FILE *f, const kvq_run *run)
{
    kvq_long_table l;
    if (kvq_long_read(run, "gtheory.csv", &l)) return;
    fprintf(f,
            "\n## What a subject's score depends on (G study)\n\nVariance components of "
            "the design subjects (p) within queries (q) x fits (r, %zu per codec) within "
            "codecs (c), on the codecs' scores and on their errors (score less exact), with "
            "G and Phi for the run's numbers of codecs and fits (`gtheory.csv`; with one fit "
            "the fit effects are merged into others). The three largest components, as "
            "shares of their sum:\n\n| population | scores | G | Phi | errors | negative "
            "estimates set to 0 |\n|---|---|---|---|---|---|\n",
            run->spec.replicates);
    for (size_t p = 0; p < run->npops; p++) {
        const char *pop = run->pops[p].name;
        if (isnan(kvq_long_value(&l, pop, "gstudy_score", "", "G"))) continue;
        fprintf(f, "| P%zu `%s` |", p + 1, pop);
        largest(f, &l, pop, "gstudy_score");
        fprintf(f, " %.4f | %.4f |", kvq_long_value(&l, pop, "gstudy_score", "", "G"),
                kvq_long_value(&l, pop, "gstudy_score", "", "Phi"));
        largest(f, &l, pop, "gstudy_error");
        negatives(f, &l, pop, "gstudy_score");
        fputc('\n', f);
    }
    kvq_csv_free(&l.t);
}
