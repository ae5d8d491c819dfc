#!/usr/bin/Rscript
# Golden values for the psychometric layer on data kvqeval exports: R psych (Debian r-cran-psych
# 2.2.9) run on a ratings.csv, independent of kvqeval.
#
# ratings_psych/ratings.csv holds the codec columns of the ratings.csv of
#   kvqeval --codec int4 --codec turboquant:bits=1 --codec qjl --codec lloydmax:bits=1 \
#       --population 'synthetic:gaussian?n=512&dim=32' --seed 7 --out RUN
# (cut -d, -f3- RUN/ratings.csv): 2048 subjects x 4 codecs. tests/ratings_psych_test.sh runs that
# command again, checks that it exports these ratings, and that its reliability.csv gives what
# psych gives here:
#   alpha   psych::alpha(x)$total: raw_alpha, std.alpha, average_r
#   icc     psych::ICC(x, lmer = FALSE)$results: ICC and F of the six Shrout-Fleiss forms
# Writes ratings_psych/psych.json. Run: Rscript tests/golden/gen_ratings_psych.R
suppressMessages(library(psych))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
x <- read.csv(file.path(here, "ratings_psych", "ratings.csv"), check.names = FALSE)
a <- psych::alpha(x, warnings = FALSE)$total
icc <- psych::ICC(x, lmer = FALSE)$results
num <- function(v) sprintf("%.17g", v)
names6 <- c("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
fields <- c(sprintf("\"raw_alpha\": %s", num(a$raw_alpha)),
            sprintf("\"std_alpha\": %s", num(a$std.alpha)),
            sprintf("\"average_r\": %s", num(a$average_r)),
            sprintf("\"%s\": %s", names6, num(icc$ICC)),
            sprintf("\"%s_F\": %s", names6, num(icc$F)))
writeLines(paste0("{", paste(fields, collapse = ", "), "}"),
           file.path(here, "ratings_psych", "psych.json"))
