# Rate-distortion of one population: bits per coordinate against Spearman rho (left) and relative
# MSE (right, log scale), one line per codec family, points in the order of its ladder.
# Variables: datafile (blocks separated by two blank lines, one per codec; columns bits, spearman,
# rel_mse), titles (codec names, space separated, in block order), population, outbase, fmt,
# width_px, height_px.
load plotsdir . "/common.gp"
set multiplot layout 1,2 title sprintf("Rate-distortion on %s", population)
set xlabel "bits per coordinate"
set ylabel "Spearman rho of scores vs exact"
set key inside bottom right
set logscale x 2
n = words(titles)
plot for [i=0:n-1] datafile index i using 1:2 with linespoints pt 7 lw 1.5 title word(titles, i+1)
set ylabel "relative MSE of reconstructed rows"
set logscale y
set key inside top right
plot for [i=0:n-1] datafile index i using 1:3 with linespoints pt 7 lw 1.5 title word(titles, i+1)
unset multiplot
