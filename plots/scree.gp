# Scree plot: eigenvalues of the codec x codec correlation matrix of each population, with the
# Kaiser line at 1. Variables: datafile (blocks separated by two blank lines, one per population;
# columns index, eigenvalue), titles (population labels, space separated), outfile, fmt,
# width_px, height_px.
set title "Scree: eigenvalues of the codec x codec correlation matrix"
set xlabel "factor"
set ylabel "eigenvalue"
set logscale y
set format y "%g"
set key inside top right
set xtics 1
n = words(titles)
plot for [i=0:n-1] datafile index i using 1:2 with linespoints pt 7 lw 1.5 title word(titles, i+1), \
     1 with lines dt 2 lc rgb "#444444" title "Kaiser (1)"
