# Reference values for zero cells and a single study (meta_trials_zero.csv).
# metafor adds 1/2 to every cell of a study with a zero cell (escalc add = 1/2,
# to = "only0"); drop00 = TRUE leaves out studies without events in either arm
# (as rma.mh does by default), which is what ipsresearch does for RR and OR.
# Run: Rscript tests/reference/meta_zero.R > tests/reference/meta_zero_values.py
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))),
                 "meta_common.R"))
header("meta_zero.R", "Zero cells, double-zero studies and a single study (metafor).")

d <- read.csv(here("meta_trials_zero.csv"))
for (measure in c("RR", "OR")) {
  dat <- escalc(measure = measure, ai = events_treatment, n1i = n_treatment,
                ci = events_control, n2i = n_control, data = d, drop00 = TRUE)
  res <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))
  emit(paste0(measure, "_REML"), sprintf('dat <- escalc(measure = "%s", ai = events_treatment, n1i = n_treatment,\n              ci = events_control, n2i = n_control, data = read.csv("meta_trials_zero.csv"), drop00 = TRUE)\nres <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))', measure),
       c(list(yi = dat$yi, vi = dat$vi), fit_values(res)))
  mh <- rma.mh(measure = measure, ai = events_treatment, n1i = n_treatment,
               ci = events_control, n2i = n_control, data = d)
  emit(paste0(measure, "_MH"), sprintf('mh <- rma.mh(measure = "%s", ai = events_treatment, n1i = n_treatment,\n             ci = events_control, n2i = n_control, data = d)  # drop00 = TRUE by default', measure),
       list(b = mh$b[1], se = mh$se, ci_lb = mh$ci.lb, ci_ub = mh$ci.ub,
            I2 = mh$I2, QE = mh$QE, QEp = mh$QEp, weights = weights(mh)))
}
dat <- escalc(measure = "RD", ai = events_treatment, n1i = n_treatment,
              ci = events_control, n2i = n_control, data = d)
res <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))
emit("RD_REML", 'dat <- escalc(measure = "RD", ai = events_treatment, n1i = n_treatment,\n              ci = events_control, n2i = n_control, data = read.csv("meta_trials_zero.csv"))\nres <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))',
     c(list(yi = dat$yi, vi = dat$vi), fit_values(res)))

one <- read.csv(here("meta_trials.csv"))[1, ]
dat <- escalc(measure = "RR", ai = events_treatment, n1i = n_treatment,
              ci = events_control, n2i = n_control, data = one)
res <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))
emit("ONE_STUDY_REML", 'dat <- escalc(measure = "RR", ai = events_treatment, n1i = n_treatment,\n              ci = events_control, n2i = n_control, data = read.csv("meta_trials.csv")[1, ])\nres <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))',
     fit_values(res))
