"""Paired tests and band-share intervals from R, for ipsresearch.fidelity (see fidelity_paired.R).

Produced by ``Rscript tests/reference/fidelity_paired.R`` with R 4.2.2 (Debian),
output kept in ``fidelity_paired_values.txt``.
"""

# Set A: five sites (changes 15, 10, 3, -1, 7)
FIRST_A = (96, 97, 91, 87, 97)
SECOND_A = (111, 107, 94, 86, 104)

# R 4.2.2: wilcox.test(second_a, first_a, paired = TRUE, exact = TRUE) -> V, p
WILCOX_A = (14.0, 0.125)

# R 4.2.2: wilcox.test(second_a, first_a, paired = TRUE, exact = TRUE, alternative = "greater")
WILCOX_A_GREATER = (14.0, 0.0625)

# R 4.2.2: t.test(second_a, first_a, paired = TRUE) -> t, p, conf.int, mean difference
TTEST_A = (2.46015365799423, 0.0696799233764249, -0.874246953638556, 14.4742469536386, 6.8)

# R 4.2.2: t.test(second_a, first_a, paired = TRUE, conf.level = 0.9)$conf.int
TTEST_A_90 = (0.907458247611949, 12.6925417523881)

# Set B: twelve sites, no ties
FIRST_B = (80, 92, 75, 101, 88, 95, 70, 84, 99, 90, 77, 86)
SECOND_B = (91, 90, 79, 108, 101, 96, 76, 92, 94, 102, 80, 100)

# R 4.2.2: wilcox.test(second_b, first_b, paired = TRUE, exact = TRUE) -> V, p
WILCOX_B = (71.0, 0.00927734375000001)

# R 4.2.2: t.test(second_b, first_b, paired = TRUE) -> t, p, conf.int, mean difference
TTEST_B = (3.43815292306611, 0.00554270995233942, 2.15901001030143, 9.84098998969857, 6.0)

# R 4.2.2: prop.test(x, 14, correct = FALSE)$conf.int for x = 0, 6, 8   (Wilson)
WILSON_OF_14 = {0: (0.0, 0.215310802737636), 6: (0.213807989044741, 0.674093554203492),
                8: (0.325906445796507, 0.786192010955259)}

# R 4.2.2: binom.test(x, 14)$conf.int for x = 0, 6, 8   (Clopper-Pearson)
EXACT_OF_14 = {0: (0.0, 0.231635761650116), 6: (0.176611089982118, 0.711390599961693),
               8: (0.288609400038307, 0.823388910017882)}
