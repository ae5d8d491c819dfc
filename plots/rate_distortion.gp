# Rate-distortion of one population: bits per coordinate against Spearman rho (left) and relative
# MSE (right, log scale), one line per codec family, points in the order of its ladder.
# Variables: datafile (blocks separated by two blank lines, one per codec; columns bits, spearman,
# rel_mse), titles (codec names, space separated, in block order), population, has_mse (1 when
# some relative MSE is positive: a log axis needs one; 0 draws the left panel only), outfile, fmt,
# width_px, height_px.
set multiplot layout 1, (has_mse ? 2 : 1) title sprintf("Rate-distortion on %s", population)
set xlabel "bits per coordinate (log scale)"
set ylabel "Spearman rho of scores vs exact"
set key outside right top font ",9" spacing 0.9
set logscale x 2
set format x "%g"
n = words(titles)
# 9 colours x 13 point shapes: every codec of the registry gets its own pair.
plot for [i=0:n-1] datafile index i using 1:2 with linespoints lc (i % 9) + 1 pt (i % 13) + 1 \
     lw 1.5 title word(titles, i+1)
if (has_mse) {
    set ylabel "relative MSE of reconstructed rows (log scale; 0 not shown)"
    set logscale y
    set format y "%.0e"
    plot for [i=0:n-1] datafile index i using 1:($3 > 0 ? $3 : NaN) with linespoints \
         lc (i % 9) + 1 pt (i % 13) + 1 lw 1.5 title word(titles, i+1)
}
unset multiplot
