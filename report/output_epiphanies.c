/* epiphanies.md and epiphanies.csv: rows epiphanies, columns populations, each cell the verdict
 * with the number that decided it, e.g. "REFUTED (identity 0.8713 >= 0.95)". */
#include "analysis/epiphany.h"
#include "io/atomic_file.h"
#include "io/csv.h"
#include "io/jsonfile.h"
#include "report/writers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void verdict_text(const kvq_verdict_cell *c, char *buf, size_t size)
{
    if (c->verdict == KVQ_NA || c->verdict == KVQ_NO_DATA || isnan(c->measured))
        snprintf(buf, size, "%s%s%s%s", kvq_verdict_name(c->verdict), c->metric ? " (" : "",
                 c->metric ? c->metric : "", c->metric ? ")" : "");
    else
        snprintf(buf, size, "%s (%s %.4g %s %.4g)", kvq_verdict_name(c->verdict), c->metric,
                 c->measured, c->op, c->threshold);
}

static void write_md(FILE *f, const kvq_epiphany_table *t, const kvq_facts *facts,
                     const char *run_name, const char *spec_name)
{
    fprintf(f,
            "# Epiphany × population — run %s\n\nSpec: %s. A cell is CONFIRMED when every "
            "prediction of the epiphany for that population holds, REFUTED when one fails, NO "
            "DATA when the run lacks the facts a prediction needs, n/a when the epiphany "
            "predicts nothing there. The number is the one that decided.\n\n",
            run_name, spec_name);
    fputs("| epiphany |", f);
    for (size_t p = 0; p < t->npopulations; p++)
        fprintf(f, " `%s` (%s) |", facts->populations[p], facts->roles[p]);
    fputs("\n|---|", f);
    for (size_t p = 0; p < t->npopulations; p++) fputs("---|", f);
    fputc('\n', f);
    for (size_t e = 0; e < t->nepiphanies; e++) {
        fprintf(f, "| **%s** %s |", t->ids[e], t->titles[e]);
        for (size_t p = 0; p < t->npopulations; p++) {
            char text[256];
            verdict_text(&t->cells[e * t->npopulations + p], text, sizeof text);
            fprintf(f, " %s |", text);
        }
        fputc('\n', f);
    }
    fputs("\n## Claims\n\n", f);
    for (size_t e = 0; e < t->nepiphanies; e++)
        fprintf(f, "- **%s** — %s\n", t->ids[e], t->claims[e]);
}

static void write_csv(FILE *f, const kvq_epiphany_table *t, const kvq_facts *facts)
{
    fputs("epiphany,title", f);
    for (size_t p = 0; p < t->npopulations; p++)
        fputc(',', f), kvq_csv_text(f, facts->populations[p]);
    fputc('\n', f);
    for (size_t e = 0; e < t->nepiphanies; e++) {
        kvq_csv_text(f, t->ids[e]);
        fputc(',', f);
        kvq_csv_text(f, t->titles[e]);
        for (size_t p = 0; p < t->npopulations; p++) {
            char text[256];
            verdict_text(&t->cells[e * t->npopulations + p], text, sizeof text);
            fputc(',', f);
            kvq_csv_text(f, text);
        }
        fputc('\n', f);
    }
}

static int write_both(const char *dir, const kvq_epiphany_table *t, const kvq_facts *facts,
                      const char *run_name, const char *spec_name, kvq_error *err)
{
    kvq_afile a;
    int rc = kvq_afile_open_in(&a, dir, "epiphanies.md", err);
    if (rc) return rc;
    write_md(a.f, t, facts, run_name, spec_name);
    if ((rc = kvq_afile_commit(&a, err))) return rc;
    if ((rc = kvq_afile_open_in(&a, dir, "epiphanies.csv", err))) return rc;
    write_csv(a.f, t, facts);
    return kvq_afile_commit(&a, err);
}

int kvq_epiphanies_write(const char *dir, const char *run_name, cJSON *spec, const char *spec_name,
                         kvq_error *err)
{
    kvq_facts facts;
    int rc = kvq_facts_load(&facts, dir, err);
    if (rc) {
        cJSON_Delete(spec);
        return rc;
    }
    kvq_epiphany_table t;
    rc = kvq_epiphany_evaluate(&t, spec, &facts, err);
    if (!rc) rc = write_both(dir, &t, &facts, run_name, spec_name, err);
    kvq_epiphany_table_free(&t); /* safe after a failed evaluate, which zeroes t */
    kvq_facts_free(&facts);
    return rc;
}
