"""Confidence intervals for a single proportion, from R (see proportions.R).

Produced by ``Rscript tests/reference/proportions.R`` with R 4.2.2 (Debian),
output kept in ``proportions_values.txt``.
"""

# R 4.2.2: binom.test(33, 65)$conf.int   (Clopper-Pearson)
EXACT_33_65 = (0.380670750496478, 0.633990224153790)

# R 4.2.2: prop.test(33, 65, correct = FALSE)$conf.int   (Wilson score)
WILSON_33_65 = (0.389164524872755, 0.625361605414586)

# R 4.2.2: qbeta(c(0.025, 0.975), 33 + 0.5, 65 - 33 + 0.5)   (Jeffreys)
JEFFREYS_33_65 = (0.388042760832113, 0.626673580583134)

# R 4.2.2: z <- qnorm(0.975); nt <- 65 + z^2; pt <- (33 + z^2/2)/nt; pt + c(-1, 1)*z*sqrt(pt*(1-pt)/nt)
AGRESTI_COULL_33_65 = (0.389163788338514, 0.625362341948827)

# R 4.2.2: binom.test(33, 65, conf.level = 0.9)$conf.int
EXACT_33_65_90 = (0.399423730750122, 0.615417798314355)

# R 4.2.2: binom.test(0, 12)$conf.int
EXACT_0_12 = (0.0, 0.264648469397051)

# R 4.2.2: prop.test(0, 12, correct = FALSE)$conf.int
WILSON_0_12 = (0.0, 0.242494006655241)
