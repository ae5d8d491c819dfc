# Shared look of kvqeval's figures; the driver runs it before each template, with `outfile` (the
# image to write) and `fmt` set.
# fmt is "png" or "svg"; the driver runs each template once per format.
if (fmt eq "png") {
    set terminal pngcairo size width_px, height_px enhanced font "Sans,11" noenhanced
} else {
    set terminal svg size width_px, height_px dynamic font "Sans,11" noenhanced
}
set output outfile
set grid lc rgb "#dddddd"
set key outside right top box opaque
set border lw 1.2
set datafile separator "\t"
set datafile missing "NaN"
# A figure with lines gets from the driver, space separated in block order, each line's title
# (titles), colour (colors: a codec keeps its colour, from a colour-blind-safe palette, in every
# figure), point shape (points) and dash pattern (dashes); these read line i (from 1).
line_title(i) = word(titles, i)
line_color(i) = word(colors, i)
line_point(i) = int(word(points, i))
line_dash(i) = int(word(dashes, i))
