# Invariance of one factor across populations: Tucker's congruence coefficient phi between every
# pair of populations' first-factor loadings (over the codec variants both ran); the diagonal and
# undefined pairs are blank.
# Variables: datafile (a comment line, then a matrix: first row the populations' labels, first column
# the same, cells phi, NaN when undefined), what (the factor, in words), npops, outfile, fmt, width_px, height_px.
set title sprintf("Congruence of the %s between populations\nTucker's phi: >= 0.95 equal, 0.85 to 0.95 fair, below different", what)
unset key
unset grid
set xtics rotate by 30 right
set ytics nomirror
set tics scale 0
set cbrange [-1:1]
set cblabel "phi"
set palette defined (-1 "#b2182b", 0 "#f7f7f7", 1 "#2166ac")
set xrange [-0.5:npops - 0.5]
set yrange [npops - 0.5:-0.5]
plot datafile matrix rowheaders columnheaders using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder fc palette, \
     datafile matrix rowheaders columnheaders using 1:2:($3 == $3 ? sprintf("%.3f", $3) : "") with labels font ",9"
