"""Reference values for Cohen's and Fleiss' kappa, from base R (see kappa.R).

Produced by ``Rscript tests/reference/kappa.R`` with R 4.2.2 (Debian), output
kept in ``kappa_values.txt``. Each value: kappa, then (Cohen) its large-sample
standard error (Fleiss, Cohen & Everitt 1969), observed and chance agreement
and the 95% normal interval; (Fleiss) observed and chance agreement.
"""

# Hand-checkable 2x2 (rows: coder DS, columns: coder NL): [[20, 5], [10, 15]], n = 50.
TABLE_22 = ((20, 5), (10, 15))
# R 4.2.2: cohen(matrix(c(20, 10, 5, 15), 2, 2))  -> kappa, se, po, pe, low, high
COHEN_22 = (0.400000000000000, 0.126996062931100, 0.700000000000000, 0.500000000000000,
            0.151092290476661, 0.648907709523339)

# 60 items, codes A-D, two raters (the same strings are in kappa.R).
RATER_1 = "AAADCBADAABCBCBBDABAAAACBDDCBCCAAAAAABABDADBCDBBAABABBAAAABB"
RATER_2 = "AADDCBDDDABABBDABCBAABDBDDDCBBAABAABABBBDACBDDBAAADACBAADAAB"
# R 4.2.2: cohen(table(r1, r2))  -> kappa, se, po, pe, low, high
COHEN_60 = (0.412225705329154, 0.085432787110736, 0.583333333333333, 0.291111111111111,
            0.244780519493232, 0.579670891165075)

# Fleiss (1971), Psychological Bulletin 76:378-382: 30 patients, 6 psychiatrists, 5 diagnoses.
DIAGNOSES = (
    (4, 4, 4, 4, 4, 4), (2, 2, 2, 5, 5, 5), (2, 3, 3, 3, 3, 5), (5, 5, 5, 5, 5, 5),
    (2, 2, 2, 4, 4, 4), (1, 1, 3, 3, 3, 3), (3, 3, 3, 3, 5, 5), (1, 1, 3, 3, 3, 4),
    (1, 1, 4, 4, 4, 4), (5, 5, 5, 5, 5, 5), (1, 4, 4, 4, 4, 4), (1, 2, 4, 4, 4, 4),
    (2, 2, 2, 3, 3, 3), (1, 4, 4, 4, 4, 4), (2, 2, 4, 4, 4, 5), (3, 3, 3, 3, 3, 5),
    (1, 1, 1, 4, 5, 5), (1, 1, 1, 1, 1, 2), (2, 2, 4, 4, 4, 4), (1, 3, 3, 5, 5, 5),
    (5, 5, 5, 5, 5, 5), (2, 4, 4, 4, 4, 4), (2, 2, 4, 5, 5, 5), (1, 1, 4, 4, 4, 4),
    (1, 4, 4, 4, 4, 5), (2, 2, 2, 2, 2, 4), (1, 1, 1, 1, 5, 5), (2, 2, 4, 4, 4, 4),
    (1, 3, 3, 3, 3, 3), (5, 5, 5, 5, 5, 5),
)
# R 4.2.2: fleiss(counts) for the diagnoses  -> kappa, po, pe  (Fleiss 1971 reports 0.430)
FLEISS_30 = (0.430244520060141, 0.555555555555556, 0.219938271604938)

# ---------------------------------------------------------------- rates (qualitative_rates.R)
# R 4.2.2: prop.test(17, 24, correct = FALSE)$conf.int   (ES who took part, seed 000 line 39)
WILSON_17_24 = (0.508323063355034, 0.850853518030391)
# R 4.2.2: prop.test(11, 17, correct = FALSE)$conf.int   (OT managers who took part, line 39)
WILSON_11_17 = (0.413003634852187, 0.826902796027563)
# R 4.2.2: binom.test(29, 37)$conf.int   (interviewed among targeted, seed 004 line 34)
EXACT_29_37 = (0.617863508228450, 0.901734364164551)
# R 4.2.2: prop.test(16, 28, correct = FALSE)$conf.int   (participants quoted, seed 000)
WILSON_16_28 = (0.390707856274688, 0.734914528758763)
