# Shared look of kvqeval's figures; every template loads it after `outbase` and `fmt` are set.
# fmt is "png" or "svg"; the driver runs each template once per format.
if (fmt eq "png") {
    set terminal pngcairo size width_px, height_px enhanced font "Sans,11" noenhanced
    set output outbase . ".png"
} else {
    set terminal svg size width_px, height_px dynamic font "Sans,11" noenhanced
    set output outbase . ".svg"
}
set grid lc rgb "#dddddd"
set key outside right top box opaque
set border lw 1.2
set datafile separator "\t"
set datafile missing "NaN"
