# Alpha if item deleted: one point per codec variant, the population's alpha with every codec as
# a dashed line. A point above the line is a codec whose removal makes the codecs more
# consistent. The y axis runs from 0.7 (or below the lowest point) to 1, so that the usual range
# of an acceptable alpha sets the scale and a change of 0.001 looks as small as it is; the title
# gives the largest change.
# Variables: datafile (columns variant, alpha_if_deleted), alpha, shift (the largest change of
# alpha deleting one codec makes), ymin, population, nrows, outfile, fmt, width_px, height_px.
set title sprintf("Cronbach's alpha if one codec is deleted: %s\nalpha of all codecs = %.4f (dashed); largest change deleting one: %+.2g", population, alpha, shift)
unset key
set xtics rotate by 45 right font ",9"
set ylabel "alpha without this codec"
set xrange [-0.7:nrows-0.3]
set yrange [ymin:1]
plot datafile using 0:2:xtic(1) with points pt 7 ps 1.2 lc rgb "#0072b2", \
     alpha with lines dt 2 lw 2 lc rgb "#d55e00"
