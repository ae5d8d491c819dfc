# Chain collapse of one population: mean Spearman rho between the exact and the codec's chain at
# each depth, one panel per codec in its colour (its variants one line each, labelled by their
# parameters, told apart by dash pattern, with the 95% interval over the starting vectors as a
# light band) and the collapse threshold tau dashed grey in every panel; the y axis is the same in
# every panel.
# Variables: datafile (blocks separated by two blank lines, one per variant, grouped by codec;
# columns depth, rho, ci_low, ci_high; NaN bounds draw no band), titles, colors, points, dashes (one per block, see common.gp), codecs
# (panel titles), firsts and counts (each panel's first block, from 0, and number of blocks), most
# (the largest count: every panel keeps room for that many key lines, so all plot areas are the
# same size), cols, rows, tau, population, outfile, fmt, width_px, height_px.
set multiplot layout rows, cols title \
    sprintf("Chain collapse on %s: mean Spearman rho of exact vs codec chain (y) by depth, layers applied (x); dashed grey: tau = %g", \
            population, tau)
set key below vertical maxrows most font ",8" samplen 3 spacing 0.9 nobox noopaque
set bmargin 2 + most
set yrange [-1.05:1.05] # the whole range of rho: no curve is clipped
set ytics 0.5
set offsets graph 0.03, graph 0.03, 0, 0
do for [c = 1:words(codecs)] {
    set title word(codecs, c)
    a = int(word(firsts, c))
    b = a + int(word(counts, c)) - 1
    plot for [i = a:b] datafile index i using 1:3:4 with filledcurves \
             fs transparent solid 0.25 noborder lc rgb line_color(i + 1) notitle, \
         for [i = a:b] datafile index i using 1:2 with linespoints ps 0.5 lw 1.5 \
             lc rgb line_color(i + 1) pt line_point(i + 1) dt line_dash(i + 1) \
             title line_title(i + 1), \
         tau with lines dt 2 lw 1.5 lc rgb "#888888" notitle
}
unset multiplot
