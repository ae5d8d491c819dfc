# Rate-distortion of one population: bits per coordinate, shared bytes included, against the metric
# (left; Spearman rho unless another is asked for) and relative MSE (right, log scale), one line
# per codec, points in the order of its ladder. A degenerate cell (its shared bytes reach the rows'
# size) is drawn hollow and left out of its codec's line.
# Variables: datafile (blocks separated by two blank lines, one per codec; columns bits, metric,
# rel_mse, degenerate), titles, colors, points, dashes (one per block, see common.gp), population,
# metric, has_mse (1 when some relative MSE is positive: a log axis needs one; 0 draws the left
# panel only), has_degenerate (1 when some cell is degenerate: the key explains the hollow marks),
# degenerate_only (per codec block, 1 when every point is degenerate: the key names the codec by
# its hollow mark), outfile, fmt, width_px, height_px.
set multiplot layout 1, (has_mse ? 2 : 1) title sprintf("Rate-distortion on %s", population)
set xlabel "bits per coordinate, shared bytes included (log scale)"
set ylabel sprintf("%s of scores vs exact", metric)
set key outside right top font ",9" spacing 0.9
set logscale x 2
set format x "%g"
set offsets graph 0.04, graph 0.04, graph 0.06, graph 0.06 # no marker clipped at an axis
n = words(titles)
degenerate_title = has_degenerate ? "degenerate (hollow, off the lines)" : ""
plot for [i=1:n] datafile index (i-1) using 1:($4 > 0 ? NaN : $2) with linespoints \
         lc rgb line_color(i) pt line_point(i) dt line_dash(i) ps 1.1 lw 1.5 title line_title(i), \
     for [i=1:n] datafile index (i-1) using 1:($4 > 0 ? $2 : NaN) with points \
         lc rgb line_color(i) pt line_hollow(i) ps 1.3 title hollow_title(i), \
     NaN with points lc rgb "#555555" pt 6 ps 1.3 title degenerate_title
if (has_mse) {
    set ylabel "relative MSE of reconstructed rows (log scale; 0 not shown)"
    set logscale y
    set format y "%.0e"
    plot for [i=1:n] datafile index (i-1) using 1:($4 > 0 || $3 <= 0 ? NaN : $3) with linespoints \
             lc rgb line_color(i) pt line_point(i) dt line_dash(i) ps 1.1 lw 1.5 \
             title line_title(i), \
         for [i=1:n] datafile index (i-1) using 1:($4 > 0 && $3 > 0 ? $3 : NaN) with points \
             lc rgb line_color(i) pt line_hollow(i) ps 1.3 title hollow_title(i), \
         NaN with points lc rgb "#555555" pt 6 ps 1.3 title degenerate_title
}
unset multiplot
