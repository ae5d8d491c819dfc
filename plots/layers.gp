# One metric by layer for the populations of one tensor family (the same file or model and role,
# one population per layer, as layer=all or --per-layer make them): one line per codec variant.
# Variables: datafile (blocks separated by two blank lines, one per variant; columns layer,
# value), titles (variant names, space separated, in block order), metric, family, outfile, fmt,
# width_px, height_px.
set title sprintf("%s by layer: %s", metric, family)
set xlabel "layer"
set ylabel metric
set key outside right top font ",8" spacing 0.9
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
set xtics 1
n = words(titles)
plot for [i=0:n-1] datafile index i using 1:2 with linespoints lc (i % 9) + 1 pt (i % 13) + 1 \
     lw 1.5 title word(titles, i+1)
