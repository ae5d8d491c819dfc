# Heatmap codec variant x population of one metric.
# Variables: datafile (matrix: first row population labels, first column variant labels, cells the
# metric, NaN when missing), outfile, fmt, metric, nrows, ncols, width_px, height_px.
set title sprintf("%s by codec variant and population", metric)
unset key
set xtics rotate by 30 right
set ytics nomirror
set cblabel metric
set palette defined (0 "#b2182b", 0.5 "#f7f7f7", 1 "#2166ac")
set xrange [-0.5:ncols-0.5]
set yrange [nrows-0.5:-0.5]
set tics scale 0
unset grid
plot datafile matrix rowheaders columnheaders using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder fc palette, \
     datafile matrix rowheaders columnheaders using 1:2:(sprintf("%.4g", $3)) with labels font ",8"
