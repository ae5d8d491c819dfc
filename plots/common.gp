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
# The hollow counterpart of line i's point shape (a filled shape's open twin; a shape already open
# becomes a star): how a degenerate cell is drawn.
line_hollow(i) = (line_point(i) % 2 == 1 ? line_point(i) - 1 : 3)
# The key names a codec by its hollow mark only when it has no other (degenerate_only, one word per
# line: 1 when every point of line i is degenerate).
hollow_title(i) = word(degenerate_only, i) eq "1" ? line_title(i) : ""
