# Reference values for Cohen's and Fleiss' kappa, computed with base R from the definitions.
# Run: Rscript tests/reference/kappa.R > tests/reference/kappa_values.txt
# R 4.2.2 (Debian r-base 4.2.2), base only (no irr/psych installed; formulas written out).
options(digits = 15)

cohen <- function(tab) {
  n <- sum(tab); p <- tab / n
  po <- sum(diag(p)); pr <- rowSums(p); pc <- colSums(p); pe <- sum(pr * pc)
  k <- (po - pe) / (1 - pe)
  # large-sample variance of Fleiss, Cohen & Everitt (1969), Psychol Bull 72:323-327
  a <- sum(diag(p) * (1 - (pr + pc) * (1 - k))^2)
  off <- p; diag(off) <- 0
  b <- (1 - k)^2 * sum(off * outer(pc, pr, "+")^2)
  c <- (k - pe * (1 - k))^2
  se <- sqrt((a + b - c) / (n * (1 - pe)^2))
  c(kappa = k, se = se, po = po, pe = pe,
    low = k - qnorm(0.975) * se, high = k + qnorm(0.975) * se)
}

fleiss <- function(counts) {  # items x categories, each row sums to the number of raters m
  m <- sum(counts[1, ]); N <- nrow(counts)
  P <- (rowSums(counts^2) - m) / (m * (m - 1))
  pj <- colSums(counts) / (N * m)
  pe <- sum(pj^2); po <- mean(P)
  c(kappa = (po - pe) / (1 - pe), po = po, pe = pe)
}

# 1. hand-checkable 2x2: rows = coder DS, columns = coder NL
tab22 <- matrix(c(20, 10, 5, 15), 2, 2, dimnames = list(DS = c("a", "b"), NL = c("a", "b")))
cat("cohen22   cohen(matrix(c(20, 10, 5, 15), 2, 2))          ", sprintf("%.15f", cohen(tab22)), "\n")

# 2. 60 items, 4 codes, two raters (the same strings are in kappa.py)
r1 <- strsplit("AAADCBADAABCBCBBDABAAAACBDDCBCCAAAAAABABDADBCDBBAABABBAAAABB", "")[[1]]
r2 <- strsplit("AADDCBDDDABABBDABCBAABDBDDDCBBAABAABABBBDACBDDBAAADACBAADAAB", "")[[1]]
tab60 <- table(factor(r1, levels = LETTERS[1:4]), factor(r2, levels = LETTERS[1:4]))
cat("cohen60   cohen(table(r1, r2)) for the 60-item strings   ", sprintf("%.15f", cohen(tab60)), "\n")

# 3. Fleiss (1971) psychiatric diagnoses: 30 patients, 6 raters, 5 categories
diag6 <- matrix(c(
  4,4,4,4,4,4, 2,2,2,5,5,5, 2,3,3,3,3,5, 5,5,5,5,5,5, 2,2,2,4,4,4, 1,1,3,3,3,3,
  3,3,3,3,5,5, 1,1,3,3,3,4, 1,1,4,4,4,4, 5,5,5,5,5,5, 1,4,4,4,4,4, 1,2,4,4,4,4,
  2,2,2,3,3,3, 1,4,4,4,4,4, 2,2,4,4,4,5, 3,3,3,3,3,5, 1,1,1,4,5,5, 1,1,1,1,1,2,
  2,2,4,4,4,4, 1,3,3,5,5,5, 5,5,5,5,5,5, 2,4,4,4,4,4, 2,2,4,5,5,5, 1,1,4,4,4,4,
  1,4,4,4,4,5, 2,2,2,2,2,4, 1,1,1,1,5,5, 2,2,4,4,4,4, 1,3,3,3,3,3, 5,5,5,5,5,5),
  ncol = 6, byrow = TRUE)
counts <- t(apply(diag6, 1, function(x) tabulate(x, nbins = 5)))
cat("fleiss30  fleiss(counts) for Fleiss (1971) diagnoses     ", sprintf("%.15f", fleiss(counts)), "\n")
