/* epiphanies.md and epiphanies.csv. The CSV has one row per (claim, prediction, population) a
 * prediction applies to:
 *     claim,prediction,population,verdict,metric,value,ci_low,ci_high,op,threshold,codecs,label,
 *     diff,diff_low,diff_high
 * (threshold_low/high of a versus are folded into threshold's text in the Markdown only; diff and
 * its interval, the paired difference that decided a codec-against-codec prediction, are empty
 * elsewhere). The
 * Markdown has the claim x population table (columns the populations' short labels), each cell
 * the verdict and the measurement that decided it, e.g.
 *     "REFUTED: spearman 0.971 [0.962, 0.978]; predicted < 0.95",
 * then the claims whose verdict differs between a synthetic population and a real one of the same
 * role, then the claims' text. */
#include "analysis/epiphany.h"
#include "io/atomic_file.h"
#include "io/csv.h"
#include "io/jsonfile.h"
#include "kvq/text.h"
#include "report/writers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "0.971 [0.962, 0.978]", or "0.971" without an interval. */
static void number_text(char *buf, size_t size, double x, double lo, double hi)
{
    if (isnan(lo) || isnan(hi))
        snprintf(buf, size, "%.4g", x);
    else
        snprintf(buf, size, "%.4g [%.4g, %.4g]", x, lo, hi);
}

static void outcome_text(const kvq_epiphany_table *t, long k, const kvq_outcome *o, char *buf,
                         size_t size)
{
    if (k < 0 || o->verdict == KVQ_NA) {
        snprintf(buf, size, "n/a");
        return;
    }
    if (o->verdict == KVQ_NO_DATA || isnan(o->value)) {
        snprintf(buf, size, "%s (%s)", kvq_verdict_name(o->verdict), t->metrics[k]);
        return;
    }
    char value[96], threshold[96];
    number_text(value, sizeof value, o->value, o->ci_low, o->ci_high);
    number_text(threshold, sizeof threshold, o->threshold, o->threshold_low, o->threshold_high);
    int used = snprintf(buf, size, "%s: %s %s; predicted %s %s%s%s%s", kvq_verdict_name(o->verdict),
                        t->metrics[k], value, t->ops[k], threshold, o->codecs[0] ? " (" : "",
                        o->codecs, o->codecs[0] ? ")" : "");
    if (!isnan(o->diff) && used > 0 && (size_t)used < size) {
        number_text(value, sizeof value, o->diff, o->diff_low, o->diff_high);
        snprintf(buf + used, size - (size_t)used, "; paired difference %s", value);
    }
}

static const kvq_outcome *decided(const kvq_epiphany_table *t, size_t e, size_t p)
{
    long k = t->cells[e * t->npopulations + p].decided;
    return k < 0 ? NULL : &t->outcomes[(size_t)k * t->npopulations + p];
}

/* A label as Markdown table text: escaped, with '|' shown as '/'. */
static void md_label(FILE *f, const char *label)
{
    char buf[4 * KVQ_TEXT_MAX + 1];
    kvq_text_escape(buf, sizeof buf, label);
    for (char *c = buf; *c; c++)
        if (*c == '|' || *c == '`') *c = '/';
    fputs(buf, f);
}

static int synthetic(const kvq_facts *facts, size_t p)
{
    return strncmp(facts->populations[p], "synthetic:", 10) == 0;
}

/* Claims whose verdict on a synthetic population differs from that on a real population of the
 * same role (both decided: CONFIRMED, REFUTED or INCONCLUSIVE). */
static void real_vs_synthetic(FILE *f, const kvq_epiphany_table *t, const kvq_facts *facts)
{
    size_t found = 0;
    for (size_t e = 0; e < t->nepiphanies; e++)
        for (size_t s = 0; s < t->npopulations; s++) {
            kvq_verdict vs = t->cells[e * t->npopulations + s].verdict;
            if (!synthetic(facts, s) || vs == KVQ_NA || vs == KVQ_NO_DATA) continue;
            for (size_t r = 0; r < t->npopulations; r++) {
                kvq_verdict vr = t->cells[e * t->npopulations + r].verdict;
                if (synthetic(facts, r) || strcmp(facts->roles[r], facts->roles[s]) != 0 ||
                    vr == KVQ_NA || vr == KVQ_NO_DATA || vr == vs)
                    continue;
                if (!found++)
                    fputs("\n## Synthetic against real\n\nClaims whose verdict on a synthetic "
                          "population differs from that on a real population of the same role:\n\n",
                          f);
                fprintf(f, "- **%s** (%s): %s on `", t->claim_ids[e], t->ids[e],
                        kvq_verdict_name(vs));
                md_label(f, facts->labels[s]);
                fprintf(f, "`, %s on `", kvq_verdict_name(vr));
                md_label(f, facts->labels[r]);
                fputs("`\n", f);
            }
        }
    if (!found)
        fputs("\n## Synthetic against real\n\nNo claim's verdict differs between a synthetic "
              "population and a real one of the same role in this run.\n",
              f);
}

static void write_md(FILE *f, const kvq_epiphany_table *t, const kvq_facts *facts,
                     const char *run_name, const char *spec_name)
{
    fprintf(f,
            "# Epiphany × population — run %s\n\nSpec: %s. Each prediction is decided by the "
            "95%% interval of what it measures: CONFIRMED when the interval lies wholly on the "
            "predicted side of the threshold, REFUTED when wholly on the other side, INCONCLUSIVE "
            "when it straddles, NO DATA when the run lacks the measurement; a number without an "
            "interval decides by its value. A claim is REFUTED on a population when one of its "
            "predictions is, CONFIRMED when all are, NO DATA when none had data, else "
            "INCONCLUSIVE; n/a when it predicts nothing there. Each cell shows the measurement "
            "that decided. Populations: the legend of the report (P1, P2, ...) gives their "
            "specs.\n\n",
            run_name, spec_name);
    fputs("| claim |", f);
    for (size_t p = 0; p < t->npopulations; p++) {
        fprintf(f, " P%zu `", p + 1);
        md_label(f, facts->labels[p]);
        fputs("` |", f);
    }
    fputs("\n|---|", f);
    for (size_t p = 0; p < t->npopulations; p++) fputs("---|", f);
    fputc('\n', f);
    for (size_t e = 0; e < t->nepiphanies; e++) {
        fprintf(f, "| **%s** %s |", t->claim_ids[e], t->titles[e]);
        for (size_t p = 0; p < t->npopulations; p++) {
            char text[512];
            const kvq_outcome *o = decided(t, e, p);
            kvq_outcome na = {KVQ_NA, NAN, NAN, NAN, NAN, NAN, NAN, "", NAN, NAN, NAN};
            outcome_text(t, t->cells[e * t->npopulations + p].decided, o ? o : &na, text,
                         sizeof text);
            /* the claim's verdict leads; the deciding prediction's may differ (NO DATA inside
             * an INCONCLUSIVE claim) */
            kvq_verdict v = t->cells[e * t->npopulations + p].verdict;
            if (o && o->verdict != v)
                fprintf(f, " %s — %s |", kvq_verdict_name(v), text);
            else
                fprintf(f, " %s |", text);
        }
        fputc('\n', f);
    }
    real_vs_synthetic(f, t, facts);
    fputs("\n## Claims\n\n", f);
    for (size_t e = 0; e < t->nepiphanies; e++)
        fprintf(f, "- **%s** `%s` — %s\n", t->claim_ids[e], t->ids[e], t->claims[e]);
}

static void write_csv(FILE *f, const kvq_epiphany_table *t, const kvq_facts *facts)
{
    fputs("claim,prediction,population,verdict,metric,value,ci_low,ci_high,op,threshold,codecs,"
          "label,diff,diff_low,diff_high\n",
          f);
    for (size_t k = 0; k < t->npredictions; k++)
        for (size_t p = 0; p < t->npopulations; p++) {
            const kvq_outcome *o = &t->outcomes[k * t->npopulations + p];
            if (o->verdict == KVQ_NA) continue;
            const char *text[] = {t->claim_ids[t->epiphany_of[k]], t->prediction_ids[k],
                                  facts->populations[p], kvq_verdict_name(o->verdict),
                                  t->metrics[k]};
            for (size_t i = 0; i < 5; i++) kvq_csv_text(f, text[i]), fputc(',', f);
            double numbers[] = {o->value, o->ci_low, o->ci_high};
            for (size_t i = 0; i < 3; i++) {
                if (!isnan(numbers[i])) kvq_csv_number(f, numbers[i]);
                fputc(',', f);
            }
            kvq_csv_text(f, t->ops[k]);
            fputc(',', f);
            if (!isnan(o->threshold)) kvq_csv_number(f, o->threshold);
            fputc(',', f);
            kvq_csv_text(f, o->codecs);
            fputc(',', f);
            kvq_csv_text(f, facts->labels[p]);
            const double paired[] = {o->diff, o->diff_low, o->diff_high};
            for (size_t i = 0; i < 3; i++) {
                fputc(',', f);
                if (!isnan(paired[i])) kvq_csv_number(f, paired[i]);
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
