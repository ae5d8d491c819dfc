# Rate-distortion of one population: bits per coordinate against the metric (left; Spearman rho
# unless another is asked for) and relative MSE (right, log scale), one line per codec, points in
# the order of its ladder.
# Variables: datafile (blocks separated by two blank lines, one per codec; columns bits, metric,
# rel_mse), titles, colors, points, dashes (one per block, see common.gp), population, metric,
# has_mse (1 when some relative MSE is positive: a log axis needs one; 0 draws the left panel
# only), outfile, fmt, width_px, height_px.
set multiplot layout 1, (has_mse ? 2 : 1) title sprintf("Rate-distortion on %s", population)
set xlabel "bits per coordinate (log scale)"
set ylabel sprintf("%s of scores vs exact", metric)
set key outside right top font ",9" spacing 0.9
set logscale x 2
set format x "%g"
set offsets graph 0.04, graph 0.04, graph 0.06, graph 0.06 # no marker clipped at an axis
n = words(titles)
plot for [i=1:n] datafile index (i-1) using 1:2 with linespoints lc rgb line_color(i) \
     pt line_point(i) dt line_dash(i) ps 1.1 lw 1.5 title line_title(i)
if (has_mse) {
    set ylabel "relative MSE of reconstructed rows (log scale; 0 not shown)"
    set logscale y
    set format y "%.0e"
    plot for [i=1:n] datafile index (i-1) using 1:($3 > 0 ? $3 : NaN) with linespoints \
         lc rgb line_color(i) pt line_point(i) dt line_dash(i) ps 1.1 lw 1.5 title line_title(i)
}
unset multiplot
