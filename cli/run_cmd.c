/* kvqeval --matrix all | --codec ... | --resume DIR: the run command, wiring the layers: the
 * runner evaluates the cells (harness/), then one path produces every analysis and output file
 * (report/outputs.h). A shard (--shard I/N) ends after its cells and its manifest: the rest needs
 * every cell, and `kvqeval merge` writes it. Under mpirun the cells run on the other ranks
 * (harness/mpi_queue.h). */
#include "analysis/epiphany.h"
#include "cli/commands.h"
#include "harness/mpi_queue.h"
#include "io/message.h"
#include "report/outputs.h"
#include "report/table.h"
#include "report/writers.h"

#include <stdio.h>
#include <string.h>

/* The options only the outputs read, checked before the first cell: the heatmap's metric and the
 * epiphany spec (read and parsed into *spec). */
static int check_output_options(const kvq_run_command *cmd, cJSON **spec, kvq_error *err)
{
    if (!kvq_cell_metric_known(cmd->heatmap)) {
        char known[1024] = "";
        for (const char *const *m = kvq_cell_metric_names; *m; m++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                     m == kvq_cell_metric_names ? "" : ", ", *m);
        return kvq_fail(err, KVQ_EINVAL, "--heatmap: unknown metric '%s' (known: %s)", cmd->heatmap,
                        known);
    }
    if (kvq_epiphany_load(spec, cmd->epiphanies, err)) return kvq_error_wrap(err, "--epiphanies");
    return KVQ_OK;
}

/* A shard's end: its manifest, and one line saying what it holds and what comes next. */
static int end_shard(kvq_run *run)
{
    kvq_error err;
    if (run->unsaved) return KVQ_EXIT_IO; /* each unsaved cell was reported as it ended */
    if (kvq_write_manifest(run, &err)) {
        kvq_say("kvqeval: %s", err.msg);
        return KVQ_EXIT_IO;
    }
    size_t mine = 0, skipped = 0;
    for (size_t i = 0; i < run->ncells; i++)
        if (kvq_run_cell_in_shard(run, i)) mine++, skipped += run->cells[i].skipped;
    kvq_say("kvqeval: shard %u of %u: %zu of %zu cells (%zu failed, %zu skipped) in %.1f s, in "
            "%s/cells/; the tables, psychometric layer, epiphanies, figures and report need every "
            "shard: kvqeval merge OUT SHARD_DIR...",
            run->spec.shard_index, run->spec.shard_count, mine, run->ncells, run->failed, skipped,
            run->wall_s, run->dir);
    return run->failed ? KVQ_EXIT_CELLS_FAILED : KVQ_EXIT_OK;
}

int kvq_run_main(kvq_run_command *cmd)
{
    kvq_run_config *cfg = &cmd->run;
    cfg->progress = !cmd->quiet;
    kvq_error err;
    kvq_error_clear(&err);
    kvq_output_options out = {.epiphany_source = kvq_epiphany_source(cmd->epiphanies),
                              .heatmap = cmd->heatmap};
    kvq_run run;
    int status = kvq_run_prepare(&run, cfg, &err);
    if (status < 0 && cmd->finished_only && run.spec.shard_count) {
        kvq_fail(&err, KVQ_EINVAL,
                 "'%s' is shard %u of %u: its outputs need every shard (kvqeval merge OUT "
                 "SHARD_DIR...)",
                 run.dir, run.spec.shard_index, run.spec.shard_count);
        status = KVQ_EXIT_USAGE;
    }
    if (status < 0 && check_output_options(cmd, &out.epiphanies, &err)) status = KVQ_EXIT_USAGE;
    if (status < 0) status = kvq_run_start(&run, cfg, &err);
    if (status < 0 && cmd->finished_only) {
        size_t missing = 0;
        for (size_t i = 0; i < run.ncells; i++) missing += !run.cells[i].done;
        if (missing) {
            kvq_fail(&err, KVQ_EINVAL,
                     "'%s' is not finished (%zu of %zu cells to run): finish it with --resume %s",
                     run.dir, missing, run.ncells, run.dir);
            status = KVQ_EXIT_USAGE;
        }
    }
    if (status >= 0) {
        kvq_say("kvqeval: %s", err.msg);
        cJSON_Delete(out.epiphanies);
        kvq_run_free(&run);
        return status;
    }
    kvq_mpi_execute(&run, cfg->threads, cfg->progress);
    if (run.spec.shard_count) {
        cJSON_Delete(out.epiphanies);
        status = end_shard(&run);
        kvq_run_free(&run);
        return status;
    }
    status = run.failed ? KVQ_EXIT_CELLS_FAILED : KVQ_EXIT_OK;
    if (run.unsaved) { /* each unsaved cell was reported as it ended */
        cJSON_Delete(out.epiphanies);
        status = KVQ_EXIT_IO;
    } else if (kvq_outputs_write(&run, &out, &err)) {
        kvq_say("kvqeval: %s", err.msg);
        status = KVQ_EXIT_IO;
    } else if (!cmd->quiet) {
        kvq_print_tables(&run, (kvq_table_style)cmd->format, stdout);
    }
    size_t skipped = 0;
    for (size_t i = 0; i < run.ncells; i++) skipped += run.cells[i].skipped;
    if (!run.unsaved)
        kvq_say("kvqeval: %zu cells (%zu failed, %zu skipped: the codec does not apply), %d "
                "figures, in %.1f s; results in %s/",
                run.ncells, run.failed, skipped, out.drawn, run.wall_s, run.dir);
    kvq_run_free(&run);
    return status;
}
