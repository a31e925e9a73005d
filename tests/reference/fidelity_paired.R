# Reference values for ipsresearch.fidelity.round_change and band_distribution.
# Run: Rscript tests/reference/fidelity_paired.R > tests/reference/fidelity_paired_values.txt
# R 4.2.2 (Debian r-base 4.2.2), base stats only. Values are copied into fidelity_paired.py.
options(digits = 15)
f <- function(x) paste(sprintf("%.15g", x), collapse = " ")

# A: five sites, changes 15, 10, 3, -1, 7 (no ties, no zeros: exact signed-rank test)
first_a  <- c(96, 97, 91, 87, 97)
second_a <- c(111, 107, 94, 86, 104)
w <- wilcox.test(second_a, first_a, paired = TRUE, exact = TRUE)
cat("A wilcox.test(second_a, first_a, paired = TRUE, exact = TRUE): V p ", f(c(w$statistic, w$p.value)), "\n")
w <- wilcox.test(second_a, first_a, paired = TRUE, exact = TRUE, alternative = "greater")
cat("A wilcox greater: V p ", f(c(w$statistic, w$p.value)), "\n")
t <- t.test(second_a, first_a, paired = TRUE)
cat("A t.test(second_a, first_a, paired = TRUE): t p lo hi mean ", f(c(t$statistic, t$p.value, t$conf.int, t$estimate)), "\n")
t <- t.test(second_a, first_a, paired = TRUE, conf.level = 0.9)
cat("A t.test conf.level = 0.9: lo hi ", f(t$conf.int), "\n")

# B: twelve sites, no ties, no zeros
first_b  <- c(80, 92, 75, 101, 88, 95, 70, 84, 99, 90, 77, 86)
second_b <- c(91, 90, 79, 108, 101, 96, 76, 92, 94, 102, 80, 100)
w <- wilcox.test(second_b, first_b, paired = TRUE, exact = TRUE)
cat("B wilcox.test(second_b, first_b, paired = TRUE, exact = TRUE): V p ", f(c(w$statistic, w$p.value)), "\n")
t <- t.test(second_b, first_b, paired = TRUE)
cat("B t.test(second_b, first_b, paired = TRUE): t p lo hi mean ", f(c(t$statistic, t$p.value, t$conf.int, t$estimate)), "\n")

# Band shares: 14 reviews, 8 fair and 6 good (Wilson = prop.test without correction; exact = binom.test)
for (x in c(0, 6, 8)) {
  cat("wilson", x, "of 14 prop.test(x, 14, correct = FALSE)$conf.int ",
      f(suppressWarnings(prop.test(x, 14, correct = FALSE))$conf.int), "\n")
  cat("exact", x, "of 14 binom.test(x, 14)$conf.int ", f(binom.test(x, 14)$conf.int), "\n")
}
