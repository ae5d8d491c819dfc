# Chain collapse of one population: mean Spearman rho between the exact and the codec's chain at
# each depth, one line per codec variant, with the collapse threshold tau.
# Variables: datafile (blocks separated by two blank lines, one per variant; columns depth, rho),
# titles (variant labels, space separated), tau, population, outbase, fmt, width_px, height_px.
load plotsdir . "/common.gp"
set title sprintf("Chain collapse on %s", population)
set xlabel "depth (layers applied)"
set ylabel "mean Spearman rho, exact vs through the codec"
set yrange [-0.5<*:1.05]
set key outside right top
n = words(titles)
plot for [i=0:n-1] datafile index i using 1:2 with linespoints pt 7 ps 0.6 lw 1.5 title word(titles, i+1), \
     tau with lines dt 2 lw 2 lc rgb "#444444" title sprintf("tau = %g", tau)
