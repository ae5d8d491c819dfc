# Criterion validity of one model population: each proxy metric (x) against the model's loss
# next_kl (y, log scale), one panel per proxy, one point per codec variant; a proxy where higher is
# better is shown as 1 - value ("1-pearson"), so agreement near 1 spreads on a log axis. A proxy
# whose points fall on a monotone curve predicts what the model loses; validity.csv gives rho.
# Variables: datafile (blocks separated by two blank lines, one per proxy; columns proxy value,
# next_kl), proxies (names, space separated, in block order), xlogs (1 where the proxy's positive
# values spread over more than a decade: a log x axis, on which 0 is not shown), cols, rows,
# population, outfile, fmt, width_px, height_px.
set multiplot layout rows, cols title sprintf("Which proxy predicts the model's loss? %s", population)
unset key
set logscale y
set format y "%.0e"
set ylabel "next_kl (nats)"
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
set xtics rotate by 30 right font ",9"
do for [i=1:words(proxies)] {
    set title word(proxies, i)
    if (word(xlogs, i) eq "1") { set logscale x; set format x "%.0e" } else { unset logscale x; set format x "%g" }
    plot datafile index (i - 1) using (word(xlogs, i) eq "1" && $1 <= 0 ? NaN : $1):($2 > 0 ? $2 : NaN) \
         with points pt 7 ps 0.9 lc rgb "#0077bb"
}
unset multiplot
