/* The epiphany verdicts (analysis/epiphany.h) on hand-made facts whose answers follow from the
 * rules by hand: an interval decides, "all" and "any" combine, `where` filters (one condition, or
 * all of an array), matched bits pair codecs, a versus cell's interval counts, degenerate cells are
 * left out, and a claim combines its predictions. */
#include "analysis/epiphany.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define P "synthetic:k_proj"

static kvq_fact facts_items[] = {
    /* variant, metric, value, interval */
    {"a", "a", P, "k_proj", "spearman", 0.97, 0.96, 0.98},
    {"b", "b", P, "k_proj", "spearman", 0.96, 0.94, 0.98},
    {"c", "c", P, "k_proj", "spearman", 0.93, 0.92, 0.94},
    {"d", "d", P, "k_proj", "spearman", 0.96, NAN, NAN},
    {"a", "a", P, "k_proj", "bits_per_coord_total", 4.0, NAN, NAN},
    {"b", "b", P, "k_proj", "bits_per_coord_total", 4.1, NAN, NAN},
    {"c", "c", P, "k_proj", "bits_per_coord_total", 8.0, NAN, NAN},
    {"d", "d", P, "k_proj", "bits_per_coord_total", 2.0, NAN, NAN},
    {"a", "a", P, "k_proj", "rel_mse", 0.3, NAN, NAN},
    {"b", "b", P, "k_proj", "rel_mse", 0.2, NAN, NAN},
    {"c", "c", P, "k_proj", "rel_mse", 0.01, NAN, NAN},
    {"a", "a", P, "k_proj", "attn_kl", 0.5, 0.45, 0.55},
    {"b", "b", P, "k_proj", "attn_kl", 0.4, 0.38, 0.46},
    {"e", "e", P, "k_proj", "attn_kl", 0.4, 0.38, 0.44},
    {"e", "e", P, "k_proj", "degenerate", 1.0, NAN, NAN},
    {"f", "f", P, "k_proj", "attn_kl", 0.4, 0.38, 0.44},
    {"f", "f", P, "k_proj", "degenerate", 0.0, NAN, NAN},
    {"", "", P, "k_proj", "kurtosis", 3.5, NAN, NAN},
};
static const char *populations[] = {P};
static const char *roles[] = {"k_proj"};
static const char *labels[] = {"k_proj"};

/* The verdict of the one-epiphany spec whose predictions are preds (a JSON array's inside). */
static kvq_verdict verdict_of(const char *preds, kvq_outcome *first)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"epiphanies\": [{\"id\": \"x\", \"title\": \"t\", \"claim\": \"c\", "
             "\"predictions\": [%s]}]}",
             preds);
    cJSON *spec;
    cr_assert_eq(kvq_epiphany_parse(&spec, text, "test", NULL), KVQ_OK, "%s", text);
    kvq_facts f = {.items = facts_items,
                   .count = sizeof facts_items / sizeof *facts_items,
                   .populations = populations,
                   .roles = roles,
                   .labels = labels,
                   .npopulations = 1};
    kvq_epiphany_table t;
    cr_assert_eq(kvq_epiphany_evaluate(&t, spec, &f, NULL), KVQ_OK);
    kvq_verdict v = t.cells[0].verdict;
    if (first) *first = t.outcomes[0];
    kvq_epiphany_table_free(&t);
    return v;
}

#define ONE(codec, more)                                                                           \
    "{\"codec\": \"" codec "\", \"metric\": \"spearman\", \"op\": \">=\", \"value\": 0.95" more "}"

Test(epiphany, an_interval_decides)
{
    cr_assert_eq(verdict_of(ONE("a", ""), NULL), KVQ_CONFIRMED);    /* [0.96, 0.98] >= 0.95 */
    cr_assert_eq(verdict_of(ONE("b", ""), NULL), KVQ_INCONCLUSIVE); /* [0.94, 0.98] straddles */
    cr_assert_eq(verdict_of(ONE("c", ""), NULL), KVQ_REFUTED);      /* [0.92, 0.94] below */
    cr_assert_eq(verdict_of(ONE("d", ""), NULL), KVQ_CONFIRMED);    /* no interval: 0.96 */
    kvq_outcome o;
    verdict_of(ONE("b", ""), &o);
    cr_assert_eq(o.value, 0.96);
    cr_assert_eq(o.ci_low, 0.94);
    cr_assert_eq(o.ci_high, 0.98);
    cr_assert_eq(o.threshold, 0.95);
    cr_assert_str_eq(o.codecs, "b");
}

Test(epiphany, all_and_any)
{
    /* a confirms, b is inconclusive, c refutes, d confirms */
    cr_assert_eq(verdict_of(ONE("[ab]", ""), NULL), KVQ_INCONCLUSIVE);
    cr_assert_eq(verdict_of(ONE("*", ""), NULL), KVQ_REFUTED);
    cr_assert_eq(verdict_of(ONE("[ac]", ", \"aggregate\": \"any\""), NULL), KVQ_CONFIRMED);
    cr_assert_eq(verdict_of(ONE("[bc]", ", \"aggregate\": \"any\""), NULL), KVQ_INCONCLUSIVE);
    cr_assert_eq(verdict_of(ONE("c", ", \"aggregate\": \"any\""), NULL), KVQ_REFUTED);
    kvq_outcome o;
    verdict_of(ONE("*", ""), &o);
    cr_assert_str_eq(o.codecs, "c"); /* the refuting one decides */
}

Test(epiphany, where_filters_variants)
{
    /* bits <= 4.5: a (4.0), b (4.1), d (2.0) -- c (8.0, the refuting one) is left out */
    cr_assert_eq(
        verdict_of(ONE("*", ", \"where\": {\"metric\": \"bits_per_coord_total\", \"op\": \"<=\", "
                            "\"value\": 4.5}"),
                   NULL),
        KVQ_INCONCLUSIVE);
    cr_assert_eq(
        verdict_of(ONE("*", ", \"where\": {\"metric\": \"bits_per_coord_total\", \"op\": \">\", "
                            "\"value\": 9}"),
                   NULL),
        KVQ_NO_DATA);
    /* an array: all conditions hold. bits <= 4.5 and spearman >= 0.965 leaves a alone (b has
     * 0.96): CONFIRMED; bits > 3 and rel_mse < 0.25: b (4.1, 0.2) and c (8.0, 0.01), c refutes */
    cr_assert_eq(verdict_of(ONE("*", ", \"where\": [{\"metric\": \"bits_per_coord_total\", "
                                     "\"op\": \"<=\", \"value\": 4.5}, {\"metric\": "
                                     "\"spearman\", \"op\": \">=\", \"value\": 0.965}]"),
                            NULL),
                 KVQ_CONFIRMED);
    cr_assert_eq(verdict_of(ONE("*", ", \"where\": [{\"metric\": \"bits_per_coord_total\", "
                                     "\"op\": \">\", \"value\": 3}, {\"metric\": "
                                     "\"rel_mse\", \"op\": \"<\", \"value\": 0.25}]"),
                            NULL),
                 KVQ_REFUTED);
}

Test(epiphany, matched_bits_pair_codecs)
{
    /* a (4.0 bits, 0.3) against b (4.1 bits, within 5%: 0.2): 0.3 >= 2 * 0.2 fails. c (8 bits,
     * 0.01) would confirm it were it not outside the band. */
    const char *spec = "{\"codec\": \"a\", \"metric\": \"rel_mse\", \"op\": \">=\", \"versus\": "
                       "{\"codec\": \"[bc]\", \"metric\": \"rel_mse\", \"aggregate\": \"min\", "
                       "\"scale\": 2, \"matched_bits\": 0.05}}";
    kvq_outcome o;
    cr_assert_eq(verdict_of(spec, &o), KVQ_REFUTED);
    cr_assert_float_eq(o.threshold, 0.4, 1e-15);
    cr_assert_str_eq(o.codecs, "a vs b");
    /* within 1%, nothing matches 4.0 bits */
    const char *narrow = "{\"codec\": \"a\", \"metric\": \"rel_mse\", \"op\": \">=\", \"versus\": "
                         "{\"codec\": \"b\", \"metric\": \"rel_mse\", \"matched_bits\": 0.01}}";
    cr_assert_eq(verdict_of(narrow, NULL), KVQ_NO_DATA);
}

Test(epiphany, a_versus_interval_counts)
{
    /* a's attn_kl [0.45, 0.55] > b's [0.38, 0.46]: they overlap */
    cr_assert_eq(verdict_of("{\"codec\": \"a\", \"metric\": \"attn_kl\", \"op\": \">\", "
                            "\"versus\": {\"codec\": \"b\", \"metric\": \"attn_kl\"}}",
                            NULL),
                 KVQ_INCONCLUSIVE);
    /* against f's [0.38, 0.44] they do not */
    kvq_outcome o;
    cr_assert_eq(verdict_of("{\"codec\": \"a\", \"metric\": \"attn_kl\", \"op\": \">\", "
                            "\"versus\": {\"codec\": \"f\", \"metric\": \"attn_kl\"}}",
                            &o),
                 KVQ_CONFIRMED);
    cr_assert_eq(o.threshold_low, 0.38);
    cr_assert_eq(o.threshold_high, 0.44);
}

Test(epiphany, degenerate_cells_do_not_count)
{
    /* e is f with degenerate = 1: against it a would be confirmed as against f; left out,
     * there is nothing to compare with */
    cr_assert_eq(verdict_of("{\"codec\": \"a\", \"metric\": \"attn_kl\", \"op\": \">\", "
                            "\"versus\": {\"codec\": \"e\", \"metric\": \"attn_kl\"}}",
                            NULL),
                 KVQ_NO_DATA);
}

Test(epiphany, a_claim_combines_its_predictions)
{
    const char *confirmed = ONE("a", ""), *refuted = ONE("c", ""), *inconclusive = ONE("b", "");
    const char *nodata =
        "{\"codec\": \"zz\", \"metric\": \"spearman\", \"op\": \">\", \"value\": 0}";
    char two[1024];
    snprintf(two, sizeof two, "%s, %s", confirmed, nodata);
    cr_assert_eq(verdict_of(two, NULL), KVQ_INCONCLUSIVE);
    snprintf(two, sizeof two, "%s, %s", nodata, nodata);
    cr_assert_eq(verdict_of(two, NULL), KVQ_NO_DATA);
    snprintf(two, sizeof two, "%s, %s", inconclusive, refuted);
    cr_assert_eq(verdict_of(two, NULL), KVQ_REFUTED);
    snprintf(two, sizeof two, "%s, %s", confirmed, confirmed);
    cr_assert_eq(verdict_of(two, NULL), KVQ_CONFIRMED);
    /* population facts: no codec */
    cr_assert_eq(verdict_of("{\"metric\": \"kurtosis\", \"op\": \">\", \"value\": 1}", NULL),
                 KVQ_CONFIRMED);
}

Test(epiphany, the_built_in_spec_parses_and_names_every_claim)
{
    cJSON *spec;
    cr_assert_eq(kvq_epiphany_load(&spec, NULL, NULL), KVQ_OK);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(spec, "epiphanies"))
    {
        cr_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "claim_id")));
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(e, "predictions"))
            cr_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "id")));
    }
    cJSON_Delete(spec);
}

/* A where array is checked item by item; an empty one is refused. */
static const char *refusal(const char *where)
{
    static char msg[KVQ_ERROR_MSG_MAX];
    char text[1024];
    snprintf(text, sizeof text,
             "{\"epiphanies\": [{\"id\": \"x\", \"title\": \"t\", \"claim\": \"c\", "
             "\"predictions\": [{\"codec\": \"*\", \"metric\": \"spearman\", \"op\": \">=\", "
             "\"value\": 0.95, \"where\": %s}]}]}",
             where);
    cJSON *spec = NULL;
    kvq_error err;
    cr_assert_eq(kvq_epiphany_parse(&spec, text, "test", &err), KVQ_EINVAL, "%s accepted", where);
    snprintf(msg, sizeof msg, "%s", err.msg);
    return msg;
}

Test(epiphany, where_arrays_are_checked)
{
    const char *m = refusal("[]");
    cr_assert(strstr(m, "predictions[0].where: must not be an empty array") != NULL, "%s", m);
    m = refusal("[{\"metric\": \"spearman\", \"op\": \">=\", \"value\": 0.9}, "
                "{\"metric\": \"rel_mse\", \"op\": \"~\", \"value\": 1}]");
    cr_assert(strstr(m, "predictions[0].where[1]") != NULL, "%s", m);
}
