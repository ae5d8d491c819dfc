/* Figures of a run, drawn with gnuplot from the run's own files (so a finished run can be drawn
 * again), into <run>/plots/ as PNG and SVG. Templates live in plots/ of the source tree (the
 * KVQ_PLOTS_DIR environment variable points elsewhere). Without gnuplot on PATH: one line on
 * stderr and no figures; a run never fails for want of plots. */
#ifndef KVQ_PLOT_H
#define KVQ_PLOT_H

#include "kvq/error.h"

/* Draws every figure; heatmap_metric is the metric of the heatmap. gnuplot writes each image under
 * a temporary name, renamed to its final name only once it is complete (a PNG ending in its IEND
 * chunk, an SVG closed), so no half-written figure ever carries a final name. A figure that cannot
 * be completed is reported on stderr (gnuplot's messages in plots/gnuplot.log), the others are
 * still drawn, and the call then returns KVQ_EIO. *drawn counts the figures drawn. */
int kvq_plots_write(const char *dir, const char *heatmap_metric, int *drawn, kvq_error *err);

#endif
