# Alpha if item deleted, one bar per codec variant, with the population's alpha as a line: a bar
# above the line is an item whose removal makes the codecs more consistent.
# Variables: datafile (columns variant, alpha_if_deleted), alpha, population, nrows, outfile, fmt,
# width_px, height_px.
set title sprintf("Cronbach's alpha if one codec is deleted\n%s (alpha of all codecs = %.4f, dashed)", population, alpha)
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.8
unset key
set xtics rotate by 45 right
set ylabel "alpha without this codec"
set xrange [-0.6:nrows-0.4]
plot datafile using 2:xtic(1) lc rgb "#4477aa", alpha with lines dt 2 lw 2 lc rgb "#cc3311"
