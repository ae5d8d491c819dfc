# Pareto figure of one population: every codec variant a point at (bits per coordinate, shared
# bytes included; 1 - Spearman rho), both axes log scale, in its codec's colour and shape, and the
# frontier (the variants no other variant beats on both axes) as a step line, each of its variants
# named. A degenerate cell (its shared bytes reach the rows' size) is drawn hollow and is never on
# the frontier. A loss of 0 (an exact codec) is drawn at yfloor, below every positive loss.
# Variables: datafile (a block per codec, columns bits, loss, degenerate, variant; then the
# frontier's block, columns bits, loss, variant, by increasing bits), titles, colors, points, dashes
# (one per codec block, see common.gp), population, yfloor, has_frontier (0: every point is
# degenerate, no frontier), has_degenerate, degenerate_only (per codec block, 1 when every point
# is degenerate: the key names the codec by its hollow mark), outfile, fmt, width_px, height_px.
set title sprintf("Pareto frontier on %s", population)
set xlabel "bits per coordinate, shared bytes included (log scale)"
set ylabel "1 - Spearman rho of scores vs exact (log scale; 0 at the bottom)"
set key outside right top font ",9" spacing 0.9
set logscale x 2
set logscale y
set format x "%g"
set format y "%.0e"
set offsets graph 0.04, graph 0.2, graph 0.06, graph 0.06 # room for the frontier's names
n = words(titles)
loss(v) = v > 0 ? v : yfloor
degenerate_title = has_degenerate ? "degenerate (hollow, off the frontier)" : ""
plot for [i=1:n] datafile index (i-1) using 1:($3 > 0 ? NaN : loss($2)) with points \
         lc rgb line_color(i) pt line_point(i) ps 1.3 title line_title(i), \
     for [i=1:n] datafile index (i-1) using 1:($3 > 0 ? loss($2) : NaN) with points \
         lc rgb line_color(i) pt line_hollow(i) ps 1.3 title hollow_title(i), \
     NaN with points lc rgb "#555555" pt 6 ps 1.3 title degenerate_title, \
     for [k=1:has_frontier] datafile index n using 1:(loss($2)) with steps \
         lc rgb "#333333" lw 1.5 title "Pareto frontier", \
     for [k=1:has_frontier] datafile index n using 1:(loss($2)):3 with labels left \
         offset 0.8, 0.5 font ",8" tc rgb "#333333" notitle
