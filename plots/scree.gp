# Scree plot: eigenvalues of the codec x codec correlation matrix of each population, with the
# Kaiser line at 1; the legend sits outside the data.
# Variables: datafile (blocks separated by two blank lines, one per population; columns index,
# eigenvalue), titles, colors, points, dashes (one per population, see common.gp), ncomp (the
# most components of a population), outfile, fmt, width_px, height_px.
set title "Scree: eigenvalues of the codec x codec correlation matrix"
set xlabel "factor"
set ylabel "eigenvalue (log scale)"
set logscale y
set format y "%g"
set key outside right top font ",9" spacing 0.9
step = ncomp > 40 ? 10 : ncomp > 12 ? 5 : 1
set xtics step
set xrange [0.5:ncomp + 0.5]
n = words(titles)
plot for [i=1:n] datafile index (i-1) using 1:2 with linespoints lc rgb line_color(i) \
         pt line_point(i) dt line_dash(i) ps 0.7 lw 1.5 title line_title(i), \
     1 with lines dt 2 lc rgb "#444444" title "Kaiser (1)"
