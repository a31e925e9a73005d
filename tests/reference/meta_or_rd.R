# Reference values for odds ratios and risk differences of meta_trials.csv.
# Run: Rscript tests/reference/meta_or_rd.R > tests/reference/meta_or_rd_values.py
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))),
                 "meta_common.R"))
header("meta_or_rd.R", "Odds ratios and risk differences of meta_trials.csv pooled by metafor.")

d <- read.csv(here("meta_trials.csv"))
for (measure in c("OR", "RD")) {
  dat <- escalc(measure = measure, ai = events_treatment, n1i = n_treatment,
                ci = events_control, n2i = n_control, data = d)
  emit(paste0(measure, "_ESCALC"), sprintf('dat <- escalc(measure = "%s", ai = events_treatment, n1i = n_treatment,\n              ci = events_control, n2i = n_control, data = read.csv("meta_trials.csv"))', measure),
       list(yi = dat$yi, vi = dat$vi))
  for (m in c("FE", "DL", "REML")) {
    res <- rma(yi, vi, data = dat, method = m, control = list(threshold = 1e-10))
    emit(paste0(measure, "_", m), sprintf('res <- rma(yi, vi, data = dat, method = "%s", control = list(threshold = 1e-10))', m),
         fit_values(res))
  }
  res <- rma(yi, vi, data = dat, method = "PM", control = list(threshold = 1e-10, tol = 1e-14))
  emit(paste0(measure, "_PM"), 'res <- rma(yi, vi, data = dat, method = "PM", control = list(threshold = 1e-10, tol = 1e-14))',
       fit_values(res))
}

mh <- rma.mh(measure = "OR", ai = events_treatment, n1i = n_treatment,
             ci = events_control, n2i = n_control, data = d)
emit("OR_MH", 'mh <- rma.mh(measure = "OR", ai = events_treatment, n1i = n_treatment,\n             ci = events_control, n2i = n_control, data = d)',
     list(b = mh$b[1], se = mh$se, ci_lb = mh$ci.lb, ci_ub = mh$ci.ub,
          I2 = mh$I2, H2 = mh$H2, QE = mh$QE, QEp = mh$QEp, weights = weights(mh)))
