#!/usr/bin/Rscript
# Golden values for the reliability and factor-structure tests (tests/test_metrics_reliability.c,
# tests/test_metrics_factors.c), computed with R psych (Debian r-cran-psych 2.2.9), independent of
# kvqeval.
#
# Writes the datasets metrics_<name>.csv (subjects x raters, header row) and metrics_psych.json next
# to this script. For each dataset:
#   icc     psych::ICC(x, lmer = FALSE)$results: the six Shrout-Fleiss forms from the two-way ANOVA
#           mean squares (lme4 is not installed, and lmer = FALSE is Shrout and Fleiss's definition)
#   alpha   psych::alpha(x): raw_alpha, std.alpha, average_r; alpha.drop (raw_alpha, std.alpha,
#           average_r per deleted item); item.stats$r.drop; the Feldt 95% interval (alpha$feldt)
#   kappa   psych::cohen.kappa on every pair of columns: unweighted kappa and its variance, the
#           weighted kappa with quadratic weights (psych's default) and with linear weights
#           1 - |i - j| / (L - 1) (categorical datasets only)
#   eigen   eigen(cor(x))$values; loadings: psych::principal(x, 1, rotate = "none") first-component
#           loadings, sign chosen so that their sum is positive; parallel: the number of components
#           kept by Horn's parallel analysis, psych::fa.parallel(x, fa = "pc", n.iter = 20)$ncomp
#           (random: set.seed(1); the same count came out for seeds 1, 2 and 3 on every dataset)
# Non-finite values are written as the strings "NaN", "Inf", "-Inf".
# Run: Rscript tests/golden/gen_metrics.R   (from the repository root or anywhere)
suppressMessages(library(psych))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))

num <- function(x) {
  if (is.na(x)) return("\"NaN\"")
  if (is.infinite(x)) return(if (x > 0) "\"Inf\"" else "\"-Inf\"")
  sprintf("%.17g", x)
}
arr <- function(v) paste0("[", paste(vapply(v, num, ""), collapse = ", "), "]")
obj <- function(fields) paste0("{", paste(sprintf("\"%s\": %s", names(fields), fields),
                                          collapse = ", "), "}")

# ---- datasets ----
datasets <- list()
# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges (also ?psych::ICC).
datasets$sf1979 <- matrix(c(9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7),
                          ncol = 4, byrow = TRUE,
                          dimnames = list(NULL, c("J1", "J2", "J3", "J4")))
set.seed(20261123)
# Many ties: 40 subjects on a 1..5 scale, 5 raters who each shift the true level by -1, 0 or +1.
truth <- sample(1:5, 40, replace = TRUE)
datasets$ties <- sapply(1:5, function(r) pmin(5, pmax(1, truth + sample(-1:1, 40, replace = TRUE,
                                                                          prob = c(.2, .6, .2)))))
colnames(datasets$ties) <- paste0("R", 1:5)
# Continuous, two factors: items 1-3 load on f1, items 4-6 on f2 (weakly correlated factors).
f1 <- rnorm(300); f2 <- 0.3 * f1 + rnorm(300)
datasets$twofactor <- round(cbind(f1 + 0.6 * rnorm(300), f1 + 0.8 * rnorm(300),
                                  f1 + 1.0 * rnorm(300), f2 + 0.6 * rnorm(300),
                                  f2 + 0.8 * rnorm(300), f2 + 1.0 * rnorm(300)), 4)
colnames(datasets$twofactor) <- paste0("item", 1:6)
# Two raters, 3 categories, with one category unused by the first rater (psych's levels are the
# union of both raters' values).
datasets$pair <- cbind(a = c(1, 1, 2, 2, 2, 3, 3, 1, 2, 2, 1, 1, 2, 3, 3, 3, 2, 1, 1, 2),
                       b = c(1, 2, 2, 2, 3, 3, 3, 1, 1, 2, 1, 1, 2, 3, 2, 3, 2, 1, 2, 2))
categorical <- c(sf1979 = TRUE, ties = TRUE, twofactor = FALSE, pair = TRUE)

for (name in names(datasets))
  write.csv(datasets[[name]], file.path(here, paste0("metrics_", name, ".csv")), row.names = FALSE,
            quote = FALSE)

# ---- statistics ----
icc_json <- function(x) {
  r <- ICC(x, lmer = FALSE)$results
  rows <- vapply(1:6, function(i) obj(c(type = sprintf("\"%s\"", r$type[i]), icc = num(r$ICC[i]),
                                        f = num(r$F[i]), df1 = num(r$df1[i]), df2 = num(r$df2[i]),
                                        p = num(r$p[i]), lo = num(r[i, 7]), hi = num(r[i, 8]))), "")
  paste0("[", paste(rows, collapse = ", "), "]")
}

alpha_json <- function(x) {
  a <- alpha(as.data.frame(x), warnings = FALSE)
  d <- a$alpha.drop
  items <- vapply(seq_len(ncol(x)), function(i)
    obj(c(raw_alpha = num(d$raw_alpha[i]), std_alpha = num(d$std.alpha[i]),
          average_r = num(d$average_r[i]), r_drop = num(a$item.stats$r.drop[i]))), "")
  obj(c(raw = num(a$total$raw_alpha), std = num(a$total$std.alpha),
        average_r = num(a$total$average_r), feldt_lo = num(unlist(a$feldt$lower.ci)),
        feldt_hi = num(unlist(a$feldt$upper.ci)), items = paste0("[", paste(items, collapse = ", "), "]")))
}

kappa_json <- function(x) {
  out <- c()
  for (i in 1:(ncol(x) - 1)) for (j in (i + 1):ncol(x)) {
    pair <- x[, c(i, j)]
    L <- length(unique(c(pair)))
    lin <- 1 - abs(outer(1:L, 1:L, "-")) / (L - 1)
    q <- suppressWarnings(cohen.kappa(pair))
    l <- suppressWarnings(cohen.kappa(pair, w = lin))
    out <- c(out, obj(c(a = i - 1, b = j - 1, categories = L, kappa = num(q$kappa),
                        var_kappa = num(q$var.kappa), quadratic = num(q$weighted.kappa),
                        linear = num(l$weighted.kappa))))
  }
  paste0("[", paste(out, collapse = ", "), "]")
}

factor_fields <- function(x) {
  ev <- eigen(cor(x), symmetric = TRUE, only.values = TRUE)$values
  p <- suppressWarnings(principal(x, nfactors = 1, rotate = "none"))
  load <- as.vector(p$loadings[, 1])
  if (sum(load) < 0) load <- -load
  set.seed(1)
  pa <- suppressWarnings(suppressMessages(fa.parallel(x, fa = "pc", n.iter = 20, plot = FALSE)))
  c(eigen = arr(ev), loadings = arr(load), parallel = pa$ncomp)
}

entries <- c()
for (name in names(datasets)) {
  x <- datasets[[name]]
  fields <- c(file = sprintf("\"metrics_%s.csv\"", name), n = nrow(x), k = ncol(x),
              icc = icc_json(x), alpha = alpha_json(x))
  if (categorical[[name]]) fields <- c(fields, kappa = kappa_json(x))
  fields <- c(fields, factor_fields(x))
  entries <- c(entries, sprintf("\"%s\": %s", name, obj(fields)))
}
json <- paste0("{\"generator\": \"tests/golden/gen_metrics.R\", \"psych\": \"",
               packageVersion("psych"), "\", \"R\": \"", getRversion(), "\",\n \"datasets\": {\n  ",
               paste(entries, collapse = ",\n  "), "}}\n")
writeLines(json, file.path(here, "metrics_psych.json"), sep = "")
