/* Figures of a run, drawn with gnuplot from the run's own files (so a finished run can be drawn
 * again), as PNG and SVG beside the TSV data each was drawn from. Templates live in plots/ of the
 * source tree (the KVQ_PLOTS_DIR environment variable points elsewhere). Without gnuplot on PATH:
 * one line on stderr and no figures; a run never fails for want of plots. */
#ifndef KVQ_PLOT_H
#define KVQ_PLOT_H

#include "kvq/error.h"

#include <stddef.h>

/* The kinds of figure (kvq_plot_options.kinds; 0 = every kind). */
enum {
    KVQ_PLOT_HEATMAP = 1 << 0,  /* heatmap_<metric>: variant x population */
    KVQ_PLOT_RATE = 1 << 1,     /* rate_distortion_P<n>: total bits against metric and rel_mse */
    KVQ_PLOT_LAYERS = 1 << 2,   /* layers_<n>: the metric by layer of a family of layers */
    KVQ_PLOT_CHAIN = 1 << 3,    /* chain_P<n>: chain collapse by depth */
    KVQ_PLOT_SCREE = 1 << 4,    /* scree: eigenvalues of every population */
    KVQ_PLOT_ALPHA = 1 << 5,    /* alpha_deleted_P<n>: alpha if one codec is deleted */
    KVQ_PLOT_VALIDITY = 1 << 6, /* validity_P<n>: each proxy against the model's loss */
    KVQ_PLOT_PARETO = 1 << 7,   /* pareto_P<n>: bits against 1 - Spearman, the frontier drawn */
};

/* The kind named heatmap, rate, layers, chain, scree, alpha, validity or pareto; 0 for another
 * name. */
unsigned kvq_plot_kind_parse(const char *name);

typedef struct kvq_plot_options {
    const char *metric;        /* of the heatmap and the layers */
    const char *rate_metric;   /* of rate-distortion's left panel; NULL: spearman */
    const char *const *codecs; /* fnmatch globs over variant names; none: every variant */
    size_t ncodecs;
    const char *const *populations; /* globs over a population's label or spec; none: every one */
    size_t npopulations;
    unsigned kinds;  /* KVQ_PLOT_* bits; 0: every kind */
    const char *out; /* folder of the figures; NULL: <run>/plots */
} kvq_plot_options;

/* Draws the figures the options select from the run in dir. gnuplot writes each image under a
 * temporary name, renamed to its final name only once it is complete (a PNG ending in its IEND
 * chunk, an SVG closed), so no half-written figure ever carries a final name. A figure that cannot
 * be completed is reported on stderr (gnuplot's messages in gnuplot.log of the folder), the others
 * are still drawn, and the call then returns KVQ_EIO. *drawn counts the figures drawn. */
int kvq_plots_draw(const char *dir, const kvq_plot_options *opt, int *drawn, kvq_error *err);

#endif
