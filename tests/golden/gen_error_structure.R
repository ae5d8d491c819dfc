#!/usr/bin/Rscript
# Golden values for the error-structure tests (tests/test_error_structure.c), computed with R stats
# and psych (Debian r-cran-psych 2.2.9), independent of kvqeval.
#
# Writes next to this script:
#   error_structure.csv     a subjects x codecs matrix of errors: 600 subjects, 7 codecs in two
#                           families that err together (c1-c3 on one latent error, c4-c6 on
#                           another, each codec at its own error size, from 1e-3 to 10) and one
#                           codec (c7) that errs alone
#   error_structure_b.csv   a second population of the same codecs, their loadings on the families
#                           changed, for the congruence of two populations' first factors
#   error_structure.json    for error_structure.csv x:
#     cor          cor(x), row by row
#     eigen        eigen(cor(x))$values
#     parallel     psych::fa.parallel(x, fa = "pc", n.iter = 20)$ncomp (set.seed(1); the same count
#                  for seeds 1, 2 and 3)
#     nf           the factors the loadings below keep (= parallel)
#     loadings     psych::principal(x, nf, rotate = "varimax")$loadings, row by row (codec by codec)
#     unrotated3   psych::principal(x, 3, rotate = "none")$loadings: a three-factor input for ...
#     varimax3     ... stats::varimax(unrotated3)$loadings (normalize = TRUE, eps = 1e-5), row by row
#     hclust       hclust(as.dist(1 - cor(x)), method = "average"): merge (row by row), height,
#                  order; cut: cutree(tree, h = 0.5)
#     hclust_ties  hclust(dist(c(0, 1, 2, 3, 5, 6)), "average"): distances with many ties (dist, the
#                  full matrix row by row), merge, height, order
#     congruence   x1, x2: the first varimax factors of error_structure.csv and error_structure_b.csv
#                  (principal(., nf, rotate = "varimax")), phi: psych::factor.congruence(x1, x2)
# Run: Rscript tests/golden/gen_error_structure.R   (from the repository root or anywhere)
suppressMessages(library(psych))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))

num <- function(x) sprintf("%.17g", x)
arr <- function(v) paste0("[", paste(vapply(as.vector(v), num, ""), collapse = ", "), "]")
rows <- function(m) paste0("[", paste(apply(m, 1, arr), collapse = ", "), "]")
obj <- function(fields) paste0("{", paste(sprintf("\"%s\": %s", names(fields), fields),
                                          collapse = ",\n "), "}")

# Two families of codecs that err together, each codec at its own size, and one that errs alone.
simulate <- function(n, w) {
  a <- rnorm(n); b <- rnorm(n)
  size <- c(1e-3, 0.1, 10, 0.02, 1, 3, 0.5)
  x <- cbind(w[1] * a + rnorm(n), w[2] * a + rnorm(n), w[3] * a + rnorm(n),
             w[4] * b + rnorm(n), w[5] * b + rnorm(n), w[6] * b + rnorm(n), rnorm(n))
  x <- round(sweep(x, 2, size, "*"), 10)
  colnames(x) <- paste0("c", 1:7)
  x
}
set.seed(20261207)
x <- simulate(600, c(2.0, 1.6, 1.2, 1.8, 1.4, 1.0))
xb <- simulate(600, c(1.2, 2.0, 1.6, 1.0, 1.8, 1.4))
write.csv(x, file.path(here, "error_structure.csv"), row.names = FALSE, quote = FALSE)
write.csv(xb, file.path(here, "error_structure_b.csv"), row.names = FALSE, quote = FALSE)
x <- as.matrix(read.csv(file.path(here, "error_structure.csv")))   # exactly what the test reads
xb <- as.matrix(read.csv(file.path(here, "error_structure_b.csv")))

r <- cor(x)
set.seed(1)
parallel <- suppressMessages(fa.parallel(x, fa = "pc", n.iter = 20, plot = FALSE))$ncomp
nf <- parallel
loadings <- unclass(principal(x, nf, rotate = "varimax")$loadings)
unrotated3 <- unclass(principal(x, 3, rotate = "none")$loadings)
varimax3 <- unclass(stats::varimax(unrotated3)$loadings)
tree <- hclust(as.dist(1 - r), method = "average")
line <- dist(c(0, 1, 2, 3, 5, 6))
ties <- hclust(line, method = "average")
x1 <- loadings[, 1]
x2 <- unclass(principal(xb, nf, rotate = "varimax")$loadings)[, 1]
phi <- factor.congruence(matrix(x1), matrix(x2), digits = 17)

json <- obj(c(
  cor = rows(r), eigen = arr(eigen(r)$values), parallel = num(parallel), nf = num(nf),
  loadings = rows(loadings), unrotated3 = rows(unrotated3), varimax3 = rows(varimax3),
  hclust = obj(c(merge = rows(tree$merge), height = arr(tree$height), order = arr(tree$order),
                 cut = arr(cutree(tree, h = 0.5)))),
  hclust_ties = obj(c(dist = rows(as.matrix(line)), merge = rows(ties$merge),
                      height = arr(ties$height), order = arr(ties$order))),
  congruence = obj(c(x1 = arr(x1), x2 = arr(x2), phi = num(phi[1, 1])))))
writeLines(json, file.path(here, "error_structure.json"))
