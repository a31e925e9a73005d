# Reference intervals for the sample flows and quotation coverage of the qualitative studies.
# Run: Rscript tests/reference/qualitative_rates.R > tests/reference/qualitative_rates_values.txt
# R 4.2.2 (Debian r-base 4.2.2), base stats only.
options(digits = 15)
cat("es17of24   prop.test(17, 24, correct = FALSE)$conf.int  ", sprintf("%.15f", prop.test(17, 24, correct = FALSE)$conf.int), "\n")
cat("ot11of17   prop.test(11, 17, correct = FALSE)$conf.int  ", sprintf("%.15f", prop.test(11, 17, correct = FALSE)$conf.int), "\n")
cat("fi29of37   binom.test(29, 37)$conf.int                  ", sprintf("%.15f", binom.test(29, 37)$conf.int), "\n")
cat("ie16of28   prop.test(16, 28, correct = FALSE)$conf.int  ", sprintf("%.15f", prop.test(16, 28, correct = FALSE)$conf.int), "\n")
