# Reference values for single proportions (meta_proportions.csv): logit (PLO)
# and Freeman-Tukey double arcsine (PFT) with the harmonic-mean back-transform.
# Run: Rscript tests/reference/meta_prop.R > tests/reference/meta_prop_values.py
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))),
                 "meta_common.R"))
header("meta_prop.R", "Single proportions of meta_proportions.csv pooled by metafor (PLO, PFT).")

d <- read.csv(here("meta_proportions.csv"))
dat <- escalc(measure = "PLO", xi = events, ni = n, data = d)
emit("PLO_ESCALC", 'dat <- escalc(measure = "PLO", xi = events, ni = n, data = read.csv("meta_proportions.csv"))',
     list(yi = dat$yi, vi = dat$vi))
for (m in c("FE", "DL", "REML")) {
  res <- rma(yi, vi, data = dat, method = m, control = list(threshold = 1e-10))
  p <- predict(res, transf = transf.ilogit)
  emit(paste0("PLO_", m), sprintf('res <- rma(yi, vi, data = dat, method = "%s", control = list(threshold = 1e-10))\npredict(res, transf = transf.ilogit)', m),
       c(fit_values(res), list(pred = p$pred, pred_ci_lb = p$ci.lb, pred_ci_ub = p$ci.ub,
                               pred_pi_lb = if (is.null(p$pi.lb)) p$ci.lb else p$pi.lb,
                               pred_pi_ub = if (is.null(p$pi.ub)) p$ci.ub else p$pi.ub)))
}

dat <- escalc(measure = "PFT", xi = events, ni = n, data = d)
emit("PFT_ESCALC", 'dat <- escalc(measure = "PFT", xi = events, ni = n, data = read.csv("meta_proportions.csv"))',
     list(yi = dat$yi, vi = dat$vi))
res <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))
p <- predict(res, transf = transf.ipft.hm, targs = list(ni = d$n))
emit("PFT_REML", 'res <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))\npredict(res, transf = transf.ipft.hm, targs = list(ni = d$n))',
     c(fit_values(res), list(pred = p$pred, pred_ci_lb = p$ci.lb, pred_ci_ub = p$ci.ub,
                             pred_pi_lb = p$pi.lb, pred_pi_ub = p$pi.ub)))
s <- summary(dat, transf = transf.ipft, ni = d$n)
emit("PFT_STUDIES", 'summary(dat, transf = transf.ipft, ni = d$n)  # per-study back-transform with each study\'s own n',
     list(yi = s$yi, ci_lb = s$ci.lb, ci_ub = s$ci.ub))

# One arm with no events: 1/2 is added to events and non-events for PLO, nothing for PFT.
z <- rbind(d, data.frame(study = "Arm Z", events = 0, n = 12))
dat <- escalc(measure = "PLO", xi = events, ni = n, data = z)
res <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))
emit("PLO_ZERO_REML", 'z <- rbind(d, data.frame(study = "Arm Z", events = 0, n = 12))\ndat <- escalc(measure = "PLO", xi = events, ni = n, data = z)\nres <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))',
     c(list(yi = dat$yi, vi = dat$vi), fit_values(res)))
dat <- escalc(measure = "PFT", xi = events, ni = n, data = z)
res <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))
p <- predict(res, transf = transf.ipft.hm, targs = list(ni = z$n))
emit("PFT_ZERO_REML", 'dat <- escalc(measure = "PFT", xi = events, ni = n, data = z)\nres <- rma(yi, vi, data = dat, method = "REML", control = list(threshold = 1e-10))\npredict(res, transf = transf.ipft.hm, targs = list(ni = z$n))',
     c(list(yi = dat$yi, vi = dat$vi), fit_values(res), list(pred = p$pred, pred_ci_lb = p$ci.lb, pred_ci_ub = p$ci.ub)))
