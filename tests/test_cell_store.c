/* The cell store keeps every number exactly: a value a resumed run reads back must be the same
 * double the killed run computed (cJSON's own printing stops at 15 significant digits whenever they
 * come within an epsilon, which loses the last bits of 1 ulp apart values and of seeds above
 * 10^15). Also: non-finite values, unknown metric names, and the per-phase CPU times (a cell saved
 * before they were recorded reads them as NaN). */
#include "harness/cell_store.h"
#include "harness/run_spec.h"
#include "io/jsonfile.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/kvq_cell_store_XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
}

static void same_bits(double a, double b, const char *what)
{
    cr_assert(memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)), "%s: %.17g != %.17g", what,
              a, b);
}

Test(cell_store, exact_round_trip, .init = setup)
{
    static kvq_cell cell, back;
    snprintf(cell.variant, sizeof cell.variant, "int8");
    double tricky = nextafter(0.3, 1.0); /* %.15g gives 0.3, which cJSON accepts as equal */
    kvq_cell_add(&cell, "spearman", tricky, nextafter(0.1, 0.0), 1.0 - 0x1p-52);
    kvq_cell_add(&cell, "rel_mse", INFINITY, NAN, -INFINITY);
    double scores[3] = {nextafter(1e-7, 1.0), -2.5e-320, 12345.678901234567};
    uint8_t top[3] = {1, 0, 1};
    cell.subject_score = scores;
    cell.subject_top = top;
    cell.nsubjects = 3;
    cell.chain_rho[0] = nextafter(0.99, 0.0);
    cell.chain_len = 1;
    for (size_t p = 0; p < KVQ_PHASES; p++) cell.phase_s[p] = nextafter(0.1 * (double)p, 1.0);
    char path[256];
    snprintf(path, sizeof path, "%s/cell.json", dir);
    kvq_error err;
    cr_assert_eq(kvq_cell_save(&cell, "pop", path, &err), KVQ_OK, "%s", err.msg);
    snprintf(back.variant, sizeof back.variant, "int8");
    cr_assert_eq(kvq_cell_load(&back, "pop", path, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(back.nmetrics, 2);
    same_bits(back.metrics[0].value, tricky, "value");
    same_bits(back.metrics[0].ci_low, nextafter(0.1, 0.0), "ci_low");
    same_bits(back.metrics[0].ci_high, 1.0 - 0x1p-52, "ci_high");
    same_bits(back.metrics[1].value, INFINITY, "inf");
    same_bits(back.metrics[1].ci_high, -INFINITY, "-inf");
    cr_assert(isnan(back.metrics[1].ci_low));
    for (int i = 0; i < 3; i++) same_bits(back.subject_score[i], scores[i], "subject score");
    same_bits(back.chain_rho[0], cell.chain_rho[0], "chain rho");
    for (size_t p = 0; p < KVQ_PHASES; p++)
        same_bits(back.phase_s[p], cell.phase_s[p], kvq_cell_phase_names[p]);
    kvq_cell_free(&back);
    unlink(path);
}

Test(cell_store, unknown_metric_refused, .init = setup)
{
    char path[256];
    snprintf(path, sizeof path, "%s/bad.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"variant\":\"int8\",\"population\":\"pop\",\"status\":0,\"error\":\"\","
          "\"metrics\":[{\"name\":\"no_such_metric\",\"value\":1}]}",
          f);
    fclose(f);
    static kvq_cell cell;
    snprintf(cell.variant, sizeof cell.variant, "int8");
    kvq_error err;
    cr_assert_eq(kvq_cell_load(&cell, "pop", path, &err), KVQ_EFORMAT);
    cr_assert(strstr(err.msg, path) != NULL, "%s", err.msg);
    unlink(path);
}

Test(cell_store, phases_absent_read_as_nan, .init = setup)
{
    char path[256];
    snprintf(path, sizeof path, "%s/old.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"variant\":\"int8\",\"population\":\"pop\",\"status\":1,\"error\":\"e\","
          "\"cpu_s\":0.5,\"metrics\":[]}",
          f);
    fclose(f);
    static kvq_cell cell;
    snprintf(cell.variant, sizeof cell.variant, "int8");
    kvq_error err;
    cr_assert_eq(kvq_cell_load(&cell, "pop", path, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(cell.cpu_s, 0.5);
    for (size_t p = 0; p < KVQ_PHASES; p++)
        cr_assert(isnan(cell.phase_s[p]), "%s: %g", kvq_cell_phase_names[p], cell.phase_s[p]);
    unlink(path);
}

Test(cell_store, run_seed_exact, .init = setup)
{
    kvq_run_spec spec = {0}, back;
    spec.seed = 9007199254740991ULL; /* 2^53 - 1: 16 digits */
    kvq_strings_push(&spec.variants, &spec.nvariants, "int8");
    kvq_strings_push(&spec.populations, &spec.npopulations, "synthetic:gaussian");
    kvq_error err;
    cr_assert_eq(kvq_run_spec_save(&spec, dir, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_run_spec_load(&back, dir, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(back.seed, spec.seed);
    kvq_strings_free(spec.variants, spec.nvariants);
    kvq_strings_free(spec.populations, spec.npopulations);
    kvq_strings_free(back.variants, back.nvariants);
    kvq_strings_free(back.populations, back.npopulations);
    char path[256];
    snprintf(path, sizeof path, "%s/run.json", dir);
    unlink(path);
}

/* The fits of --replicates: their subject scores and the metrics' across-fit intervals come back
 * exactly; a count that disagrees with the scores saved is refused. */
Test(cell_store, replicates_round_trip, .init = setup)
{
    static kvq_cell cell, back, bad;
    snprintf(cell.variant, sizeof cell.variant, "qjl");
    kvq_cell_add(&cell, "spearman", 0.5, 0.4, 0.6);
    cell.metrics[0].rep_low = nextafter(0.45, 0.0);
    cell.metrics[0].rep_high = nextafter(0.55, 1.0);
    double scores[2] = {1.0, 2.0}, fits[4] = {nextafter(1.0, 2.0), 3.0, -0.0, 1e-300};
    uint8_t top[2] = {0, 1};
    cell.subject_score = scores, cell.subject_top = top, cell.nsubjects = 2;
    cell.nreplicates = 3, cell.replicate_score = fits;
    char *text = kvq_cell_to_text(&cell, "pop");
    cr_assert_not_null(text);
    snprintf(back.variant, sizeof back.variant, "qjl");
    cr_assert_eq(kvq_cell_from_text(&back, "pop", text), 0);
    cr_assert_eq(back.nreplicates, 3);
    for (int i = 0; i < 4; i++) same_bits(back.replicate_score[i], fits[i], "fit score");
    same_bits(back.metrics[0].rep_low, cell.metrics[0].rep_low, "rep_low");
    same_bits(back.metrics[0].rep_high, cell.metrics[0].rep_high, "rep_high");
    char *four = strstr(text, "\"replicates\":3");
    cr_assert_not_null(four);
    four[13] = '4'; /* 4 fits, but the scores of only 2 more */
    snprintf(bad.variant, sizeof bad.variant, "qjl");
    cr_assert_eq(kvq_cell_from_text(&bad, "pop", text), -1);
    free(text);
    kvq_cell_free(&back);
}
