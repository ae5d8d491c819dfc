/* Every output of a run from its cells (report/outputs.h). */
#include "report/outputs.h"
#include "analysis/analysis.h"
#include "report/plot.h"
#include "report/writers.h"

int kvq_outputs_write(kvq_run *run, kvq_output_options *opt, kvq_error *err)
{
    cJSON *spec = opt->epiphanies;
    opt->epiphanies = NULL;
    opt->drawn = 0;
    kvq_analysis a;
    int rc = kvq_analysis_run(&a, run, err);
    if (!rc)
        rc = kvq_write_cells_csv(run, err) || kvq_write_summary_csv(run, err) ||
             kvq_write_populations_csv(run, &a, err) || kvq_write_reliability_csv(run, &a, err) ||
             kvq_write_factors_csv(run, &a, err) || kvq_write_gtheory_csv(run, &a, err) ||
             kvq_write_congruence_csv(run, &a, err) || kvq_write_chain_csv(run, err) ||
             kvq_write_subjects_csv(run, err) || kvq_write_validity_csv(run, &a, err) ||
             kvq_write_queries_csv(run, err);
    kvq_analysis_free(&a);
    if (rc) {
        cJSON_Delete(spec);
        return err->code;
    }
    if ((rc = kvq_epiphanies_write(run->dir, run->name, spec, opt->epiphany_source, err)))
        return rc;
    kvq_error plot_err;
    kvq_error_clear(&plot_err);
    kvq_plot_options plot = {.metric = opt->heatmap};
    int plots = kvq_plots_draw(run->dir, &plot, &opt->drawn, &plot_err);
    if ((rc = kvq_write_manifest(run, err)) || (rc = kvq_write_report(run, err))) return rc;
    /* last: the largest files (the subjects' data), so that a full disk costs them first */
    if ((rc = kvq_write_subjects_csv(run, err))) return rc;
    if (plots) *err = plot_err;
    return plots;
}
