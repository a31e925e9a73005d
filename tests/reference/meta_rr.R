# Reference values for the risk-ratio meta-analysis of seven two-arm trials
# with unequal arms (meta_trials.csv).
# Run: Rscript tests/reference/meta_rr.R > tests/reference/meta_rr_values.py
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))),
                 "meta_common.R"))
header("meta_rr.R", "Risk ratios of meta_trials.csv pooled by metafor (FE, DL, REML, PM, MH).")

d <- read.csv(here("meta_trials.csv"))
dat <- escalc(measure = "RR", ai = events_treatment, n1i = n_treatment,
              ci = events_control, n2i = n_control, data = d)
emit("ESCALC", 'escalc(measure = "RR", ai = events_treatment, n1i = n_treatment,\n       ci = events_control, n2i = n_control, data = read.csv("meta_trials.csv"))',
     list(yi = dat$yi, vi = dat$vi))

for (m in c("FE", "DL", "REML")) {
  res <- rma(yi, vi, data = dat, method = m, control = list(threshold = 1e-10))
  emit(m, sprintf('res <- rma(yi, vi, data = dat, method = "%s", control = list(threshold = 1e-10))\nc(res$b, res$se, res$zval, res$pval, res$ci.lb, res$ci.ub, predict(res)$pi.lb, predict(res)$pi.ub,\n  res$tau2, res$I2, res$H2, res$QE, res$QEp); weights(res)', m),
       fit_values(res))
}

res <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))
emit("REML_LOGLIK", 'logLik(rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10)))',
     list(loglik = as.numeric(logLik(res))))

# Paule-Mandel: metafor finds the root with uniroot(tol = control$tol), which
# defaults to .Machine$double.eps^0.25; tighten it for a 1e-6 comparison.
res <- rma(yi, vi, data = dat, method = "PM", control = list(threshold = 1e-10, tol = 1e-14))
emit("PM", 'res <- rma(yi, vi, data = dat, method = "PM", control = list(threshold = 1e-10, tol = 1e-14))',
     fit_values(res))

res <- rma(yi, vi, data = dat, method = "REML", level = 90, control = list(threshold = 1e-10))
emit("REML_90", 'res <- rma(yi, vi, data = dat, method = "REML", level = 90, control = list(threshold = 1e-10))',
     fit_values(res))

mh <- rma.mh(measure = "RR", ai = events_treatment, n1i = n_treatment,
             ci = events_control, n2i = n_control, data = d)
emit("MH", 'mh <- rma.mh(measure = "RR", ai = events_treatment, n1i = n_treatment,\n             ci = events_control, n2i = n_control, data = d)\nc(mh$b, mh$se, mh$zval, mh$pval, mh$ci.lb, mh$ci.ub, mh$I2, mh$H2, mh$QE, mh$QEp); weights(mh)',
     list(b = mh$b[1], se = mh$se, zval = mh$zval, pval = mh$pval, ci_lb = mh$ci.lb, ci_ub = mh$ci.ub,
          I2 = mh$I2, H2 = mh$H2, QE = mh$QE, QEp = mh$QEp, weights = weights(mh)))
