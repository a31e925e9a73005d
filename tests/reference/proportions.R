# Reference intervals for a single proportion, 33 of 65 (seed 000 line 15).
# Run: Rscript tests/reference/proportions.R > tests/reference/proportions_values.txt
# R 4.2.2 (Debian r-base 4.2.2), base stats only.
options(digits = 15)
x <- 33; n <- 65
cat("exact      binom.test(33, 65)$conf.int                   ", sprintf("%.15f", binom.test(x, n)$conf.int), "\n")
cat("wilson     prop.test(33, 65, correct = FALSE)$conf.int    ", sprintf("%.15f", prop.test(x, n, correct = FALSE)$conf.int), "\n")
cat("jeffreys   qbeta(c(0.025, 0.975), 33.5, 32.5)             ", sprintf("%.15f", qbeta(c(0.025, 0.975), x + 0.5, n - x + 0.5)), "\n")
z <- qnorm(0.975); nt <- n + z^2; pt <- (x + z^2 / 2) / nt
cat("agresti    (x+z^2/2)/(n+z^2) -/+ z*sqrt(p(1-p)/(n+z^2))    ", sprintf("%.15f", pt + c(-1, 1) * z * sqrt(pt * (1 - pt) / nt)), "\n")
cat("exact90    binom.test(33, 65, conf.level = 0.9)$conf.int  ", sprintf("%.15f", binom.test(x, n, conf.level = 0.9)$conf.int), "\n")
cat("exact0     binom.test(0, 12)$conf.int                     ", sprintf("%.15f", binom.test(0, 12)$conf.int), "\n")
cat("wilson0    prop.test(0, 12, correct = FALSE)$conf.int     ", sprintf("%.15f", suppressWarnings(prop.test(0, 12, correct = FALSE))$conf.int), "\n")
