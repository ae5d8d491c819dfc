#!/usr/bin/Rscript
# Golden values for the psychometric layer on data kvqeval exports: R psych (Debian r-cran-psych
# 2.2.9) run on a ratings.csv, independent of kvqeval.
#
# ratings_psych/ratings.csv holds the codec columns of the ratings.csv of
#   kvqeval --codec int4 --codec turboquant:bits=1 --codec qjl --codec lloydmax:bits=1 \
#       --population 'synthetic:gaussian?n=512&dim=32' --seed 7 --out RUN
# (cut -d, -f3- RUN/ratings.csv): 5120 subjects (256 queries x 20 rows) x 4 codecs, and
# ratings_psych/strata.txt the stratum of each subject (cut -d, -f5 RUN/subjects.csv: top10 or
# uniform). tests/ratings_psych_test.sh runs that command again, checks that it exports these
# ratings and strata, and that its reliability.csv gives what psych gives here, on all subjects
# (analyses alpha and icc_all) and on each stratum alone (alpha_top10, icc_all_top10, ...):
#   alpha   psych::alpha(x)$total: raw_alpha, std.alpha, average_r
#   icc     psych::ICC(x, lmer = FALSE)$results: ICC and F of the six Shrout-Fleiss forms
# Writes ratings_psych/psych.json, {"all": {...}, "top10": {...}, "uniform": {...}}.
# Run: Rscript tests/golden/gen_ratings_psych.R
suppressMessages(library(psych))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
x <- read.csv(file.path(here, "ratings_psych", "ratings.csv"), check.names = FALSE)
strata <- readLines(file.path(here, "ratings_psych", "strata.txt"))[-1]
num <- function(v) sprintf("%.17g", v)
names6 <- c("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
block <- function(name, y) {
    a <- psych::alpha(y, warnings = FALSE)$total
    icc <- psych::ICC(y, lmer = FALSE)$results
    fields <- c(sprintf("\"raw_alpha\": %s", num(a$raw_alpha)),
                sprintf("\"std_alpha\": %s", num(a$std.alpha)),
                sprintf("\"average_r\": %s", num(a$average_r)),
                sprintf("\"%s\": %s", names6, num(icc$ICC)),
                sprintf("\"%s_F\": %s", names6, num(icc$F)))
    sprintf("\"%s\": {%s}", name, paste(fields, collapse = ", "))
}
stopifnot(length(strata) == nrow(x))
out <- c(block("all", x), block("top10", x[strata == "top10", ]),
         block("uniform", x[strata == "uniform", ]))
writeLines(paste0("{", paste(out, collapse = ",\n "), "}"),
           file.path(here, "ratings_psych", "psych.json"))
