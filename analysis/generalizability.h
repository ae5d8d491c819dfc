/* Generalizability theory on each population (include/kvq/gtheory.h): the scores the codec
 * variants give the population's subjects, in the balanced design (p:q) x (r:c) (subjects p
 * nested in queries q, the fits r of --replicates nested in codecs c), on two measures: "score"
 * (the codec's score of the subject) and "error" (that score less the exact one). Only the variants
 * whose cell succeeded with every fit take part. gtheory.csv, long format as reliability.csv:
 *   analysis gstudy_score / gstudy_error, item "": for each effect E of kvq_gtheory_effect_name,
 *     df_E, ms_E, raw_E (the signed ANOVA estimate), sigma2_E (0 where raw_E < 0), negative_E
 *     (1 when it was set to 0), share_E (sigma2_E over their sum); then tau, delta, Delta, G, Phi
 *     (the D study of the same numbers of codecs and fits); with one fit the replicate effects are
 *     NaN and merged into others (gtheory.h);
 *   analysis gcodec_score / gcodec_error, item the variant (with two fits or more): the s x r
 *     study of that codec alone, effects s, r and sr, and its G and Phi.
 * An undefined study (fewer than 2 queries, subjects per query or codecs) has no rows. */
#ifndef KVQ_GENERALIZABILITY_H
#define KVQ_GENERALIZABILITY_H

#include "analysis/stat_rows.h"
#include "harness/run.h"

/* Appends population p's rows to rows. KVQ_ENOMEM is the only failure. */
int kvq_generalizability_run(const kvq_run *run, size_t p, kvq_stat_rows *rows, kvq_error *err);

#endif
