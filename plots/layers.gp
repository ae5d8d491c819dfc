# One metric by layer for the populations of one tensor family (the same file or model and role,
# one population per layer, as layer=all or --per-layer make them): one line per codec variant,
# in its codec's colour and shape, a dash pattern per variant of the codec.
# Variables: datafile (blocks separated by two blank lines, one per variant; columns layer,
# value), titles, colors, points, dashes (see common.gp), metric, family, outfile, fmt, width_px,
# height_px.
set title sprintf("%s by layer: %s", metric, family)
set xlabel "layer"
set ylabel metric
set key outside right top font ",8" spacing 0.9
set autoscale xfix
set offsets 0.3, 0.3, graph 0.06, graph 0.06
set xtics 1
n = words(titles)
plot for [i=1:n] datafile index (i-1) using 1:2 with linespoints lc rgb line_color(i) \
     pt line_point(i) dt line_dash(i) lw 1.5 title line_title(i)
