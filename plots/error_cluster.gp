# Which codecs err together, for one population: the codecs' error correlation matrix with the
# codecs in the dendrogram's leaf order, and beside it the average-linkage tree on 1 - r, its cut
# (where the report's clusters come from) dashed.
# Variables: datafile (block 0: row, column, r, codecs by their place in the leaf order from 0;
# block 1: the tree's segments x1, y1, x2, y2, x the height 1 - r, y the place), names (the codecs
# in leaf order, space separated), ncodecs, cut, hmax (the highest merge), label_px (room for the
# longest name), population, outfile, fmt, width_px, height_px.
unset key
unset grid
set tics scale 0
bottom = (label_px + 50.0) / height_px
top = 1 - 70.0 / height_px
split = 0.05 + 200.0 / width_px
right = 1 - (label_px + 120.0) / width_px
set multiplot title sprintf("Which codecs err together: %s (error correlations, average linkage on 1 - r)", population)
set bmargin at screen bottom
set tmargin at screen top
set yrange [ncodecs - 0.5:-0.5]
# the tree: leaves on the right, against the matrix
set lmargin at screen 0.03
set rmargin at screen split
set xrange [1.08 * (hmax > cut ? hmax : cut):0]
set xtics out nomirror
set xlabel "1 - r"
unset ytics
set border 1
set arrow 1 from cut, graph 0 to cut, graph 1 nohead dt 2 lc rgb "#b2182b"
set label 1 sprintf("cut %g", cut) at cut, graph 1 offset 0.5, 0.8 tc rgb "#b2182b" font ",9"
plot datafile index 1 using 1:2:($3 - $1):($4 - $2) with vectors nohead lc rgb "#333333" lw 1.5
unset arrow 1
unset label 1
# the matrix
set lmargin at screen split + 0.005
set rmargin at screen right
set border 15
set xlabel ""
set xrange [-0.5:ncodecs - 0.5]
set xtics () rotate by 60 right font ",9"
set for [i = 1:ncodecs] xtics add (word(names, i) i - 1)
set link y2
set y2tics () font ",9"
set for [i = 1:ncodecs] y2tics add (word(names, i) i - 1)
set cbrange [-1:1]
set cblabel "error correlation r"
set palette defined (-1 "#b2182b", 0 "#f7f7f7", 1 "#2166ac")
set colorbox user origin screen right + (label_px + 40.0) / width_px, screen bottom size screen 0.02, screen top - bottom
plot datafile index 0 using 2:1:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder fc palette, \
     datafile index 0 using 2:1:(ncodecs <= 20 ? sprintf("%.2f", $3) : "") with labels font ",8"
unset multiplot
