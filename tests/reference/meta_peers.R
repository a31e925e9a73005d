# Reference values on metafor's own data sets (the peers' test data of issue 17).
# Exports each data set to tests/reference/metafor_<name>.csv and prints Python source.
# Run: Rscript tests/reference/meta_peers.R > tests/reference/meta_peers_values.py
#
# Settings. Every rma() call below iterates to full convergence with
#   control = list(threshold = 1e-10, tol = 1e-14, maxiter = 1000)
# (called CTRL in the comments): threshold stops the Fisher scoring of ML, REML and
# EB when tau2 changes by less than 1e-10; tol is uniroot()'s tolerance for PM.
# metafor's defaults (threshold = 1e-5, tol = .Machine$double.eps^0.25 ~ 1.2e-4) stop
# earlier; DEFAULTS_* blocks record what rma() gives with them, to show the difference.
# confint() (Q-profile intervals) runs with control = list(tol = 1e-12).
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))),
                 "meta_common.R"))
header("meta_peers.R", "metafor on its own data sets (dat.bcg, CLASP, dat.collins1985b, dat.pritz1997, ...).")
cat("nan = float(\"nan\")\n")

CTRL <- list(threshold = 1e-10, tol = 1e-14, maxiter = 1000)
CTRL_TXT <- "control = list(threshold = 1e-10, tol = 1e-14, maxiter = 1000)"
METHODS <- c("FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")

export <- function(d, name) write.csv(d, here(paste0("metafor_", name, ".csv")), row.names = FALSE)

# --- the data sets, written once (CLASP from metafor's tests/testthat/test_analysis_example_dersimonian2007.r)
clasp <- data.frame(trial = paste("CLASP", 1:6),
                    n1i = c(156, 303, 565, 1570, 103, 4659), n2i = c(74, 303, 477, 1565, 105, 4650),
                    ai = c(5, 5, 12, 69, 9, 313), ci = c(8, 17, 9, 94, 11, 352))
yusuf6 <- dat.yusuf1985[dat.yusuf1985$table == "6" & !is.na(dat.yusuf1985$ai), ]
export(dat.bcg, "bcg"); export(clasp, "clasp"); export(dat.collins1985b, "collins1985b")
export(dat.pritz1997, "pritz1997"); export(dat.debruin2009, "debruin2009")
export(dat.nielweise2007, "nielweise2007"); export(dat.yusuf1985, "yusuf1985")
export(dat.colditz1994, "colditz1994"); export(dat.normand1999, "normand1999")
export(dat.hackshaw1998, "hackshaw1998"); export(dat.egger2001, "egger2001")

# two-arm data in one layout: ai, n1i, ci, n2i (bcg and colditz give 2x2 cells)
arms <- function(d) {
  if (!is.null(d$tpos)) data.frame(ai = d$tpos, n1i = d$tpos + d$tneg, ci = d$cpos, n2i = d$cpos + d$cneg)
  else data.frame(ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i)
}
collins <- with(dat.collins1985b, data.frame(ai = pre.xti, n1i = pre.nti, ci = pre.xci, n2i = pre.nci))
TWO_ARM <- list(bcg = arms(dat.bcg), clasp = arms(clasp), collins1985b = collins,
                nielweise2007 = arms(dat.nielweise2007), colditz1994 = arms(dat.colditz1994),
                yusuf1985_6 = arms(yusuf6), egger2001 = arms(dat.egger2001))
ARM_TXT <- list(bcg = "ai = tpos, n1i = tpos + tneg, ci = cpos, n2i = cpos + cneg, data = dat.bcg",
                clasp = "ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = clasp",
                collins1985b = "ai = pre.xti, n1i = pre.nti, ci = pre.xci, n2i = pre.nci, data = dat.collins1985b",
                nielweise2007 = "ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.nielweise2007",
                colditz1994 = "ai = tpos, n1i = tpos + tneg, ci = cpos, n2i = cpos + cneg, data = dat.colditz1994",
                yusuf1985_6 = "ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = subset(dat.yusuf1985, table == \"6\" & !is.na(ai))",
                egger2001 = "ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.egger2001")

key <- function(...) toupper(gsub("[^A-Za-z0-9]+", "_", paste(..., sep = "_")))

confint_values <- function(res) {
  ci <- confint(res, control = list(tol = 1e-12))$random
  list(tau2 = ci[1, ], tau = ci[2, ], I2 = ci[3, ], H2 = ci[4, ])
}

pooled <- function(name, dat, call_dat) {
  for (m in METHODS) {
    res <- rma(yi, vi, data = dat, method = m, control = CTRL)
    emit(key(name, m), sprintf('%s\nres <- rma(yi, vi, data = dat, method = "%s", %s)', call_dat, m, CTRL_TXT),
         fit_values(res))
  }
  for (m in c("DL", "REML", "PM")) {
    res <- rma(yi, vi, data = dat, method = m, test = "knha", control = CTRL)
    emit(key(name, m, "KNHA"), sprintf('%s\nres <- rma(yi, vi, data = dat, method = "%s", test = "knha", %s)', call_dat, m, CTRL_TXT),
         c(fit_values(res), list(df = res$ddf)))
    res <- rma(yi, vi, data = dat, method = m, control = CTRL)
    emit(key(name, m, "QPROFILE"), sprintf('%s\nconfint(rma(yi, vi, data = dat, method = "%s", %s), control = list(tol = 1e-12))$random\n# rows tau2, tau, I2, H2: estimate, ci.lb, ci.ub', call_dat, m, CTRL_TXT),
         confint_values(res))
  }
}

emit_escalc <- function(name, dat, call) emit(key(name, "ESCALC"), call, list(yi = dat$yi, vi = dat$vi))

# --- two-arm trials: effect sizes and every tau2 estimator
for (name in names(TWO_ARM)) {
  d <- TWO_ARM[[name]]
  for (measure in c("RR", "OR", "RD")) {
    dat <- escalc(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, drop00 = measure != "RD")
    call_dat <- sprintf('dat <- escalc(measure = "%s", %s%s)', measure, ARM_TXT[[name]],
                        if (measure != "RD") ", drop00 = TRUE" else "")
    emit_escalc(paste(name, measure), dat, call_dat)
    pooled(paste(name, measure), dat, call_dat)
  }
  for (measure in c("RR", "OR", "RD")) {
    mh <- rma.mh(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
    emit(key(name, measure, "MH"), sprintf('mh <- rma.mh(measure = "%s", %s)  # drop00 = TRUE (default)', measure, ARM_TXT[[name]]),
         list(b = mh$b[1], se = mh$se, zval = mh$zval, pval = mh$pval, ci_lb = mh$ci.lb, ci_ub = mh$ci.ub,
              I2 = mh$I2, H2 = mh$H2, QE = mh$QE, QEp = mh$QEp, weights = weights(mh)))
  }
  pe <- rma.peto(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
  pes <- escalc(measure = "PETO", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
  emit(key(name, "PETO"), sprintf('pe <- rma.peto(%s)\nescalc(measure = "PETO", ...) for yi, vi', ARM_TXT[[name]]),
       list(yi = pes$yi, vi = pes$vi, b = pe$b[1], se = pe$se, zval = pe$zval, pval = pe$pval,
            ci_lb = pe$ci.lb, ci_ub = pe$ci.ub, I2 = pe$I2, H2 = pe$H2, QE = pe$QE, QEp = pe$QEp,
            weights = weights(pe)))
}

# --- the estimators' defaults against full convergence (issue item 4)
for (name in c("bcg", "clasp", "collins1985b")) {
  d <- TWO_ARM[[name]]
  for (measure in c("RR", "OR", "RD")) {
    dat <- escalc(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
    for (m in c("REML", "ML", "EB", "PM")) {
      res <- rma(yi, vi, data = dat, method = m)
      emit(key("DEFAULTS", name, measure, m), sprintf('dat <- escalc(measure = "%s", %s)\nres <- rma(yi, vi, data = dat, method = "%s")  # metafor defaults', measure, ARM_TXT[[name]], m),
           list(tau2 = res$tau2, I2 = res$I2, b = res$b[1], se = res$se, ci_lb = res$ci.lb, ci_ub = res$ci.ub))
    }
  }
}

# --- MH risk ratio when every arm of every trial had the event (issue item 3)
allev <- data.frame(ai = c(10, 20, 5), n1i = c(10, 20, 5), ci = c(8, 30, 6), n2i = c(8, 30, 6))
export(allev, "all_events")
mh <- rma.mh(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = allev, drop00 = FALSE)
emit("ALL_EVENTS_RR_MH", 'allev <- data.frame(ai = c(10, 20, 5), n1i = c(10, 20, 5), ci = c(8, 30, 6), n2i = c(8, 30, 6))\nmh <- rma.mh(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = allev, drop00 = FALSE)',
     list(b = mh$b[1], se = mh$se, zval = mh$zval, pval = mh$pval, ci_lb = mh$ci.lb, ci_ub = mh$ci.ub,
          I2 = mh$I2, H2 = mh$H2, QE = mh$QE, QEp = mh$QEp))

# --- single proportions: raw (PR), logit (PLO), Freeman-Tukey (PFT)
PROPS <- list(pritz1997 = dat.pritz1997, debruin2009 = dat.debruin2009)
for (name in names(PROPS)) {
  for (measure in c("PR", "PLO", "PFT")) {
    dat <- escalc(measure = measure, xi = xi, ni = ni, data = PROPS[[name]])
    call_dat <- sprintf('dat <- escalc(measure = "%s", xi = xi, ni = ni, data = dat.%s)', measure, name)
    emit_escalc(paste(name, measure), dat, call_dat)
    pooled(paste(name, measure), dat, call_dat)
  }
}

# --- means: raw mean difference (MD) and standardised mean difference (SMD, Hedges' g)
for (measure in c("MD", "SMD")) {
  dat <- escalc(measure = measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
                data = dat.normand1999)
  call_dat <- sprintf('dat <- escalc(measure = "%s", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,\n              data = dat.normand1999)', measure)
  emit_escalc(paste("normand1999", measure), dat, call_dat)
  pooled(paste("normand1999", measure), dat, call_dat)
}
# a second data set of means: dat.gibson2002 (studies that report means and SDs)
gibson <- dat.gibson2002[!is.na(dat.gibson2002$m1i), ]
export(dat.gibson2002, "gibson2002")
for (measure in c("MD", "SMD")) {
  dat <- escalc(measure = measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
                data = gibson)
  call_dat <- sprintf('dat <- escalc(measure = "%s", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,\n              data = subset(dat.gibson2002, !is.na(m1i)))', measure)
  emit_escalc(paste("gibson2002", measure), dat, call_dat)
  pooled(paste("gibson2002", measure), dat, call_dat)
}

# --- precomputed effects (yi, vi): dat.hackshaw1998 log odds ratios, dat.raudenbush1985 standardised differences
pooled("hackshaw1998 GEN", dat.hackshaw1998, "dat <- dat.hackshaw1998  # yi, vi as published in metafor")
export(dat.raudenbush1985, "raudenbush1985")
pooled("raudenbush1985 GEN", dat.raudenbush1985, "dat <- dat.raudenbush1985  # yi, vi as published in metafor")

# --- meta-regression (rma(mods = ...)), with the omnibus test of moderators QM
reg_values <- function(res) {
  list(b = as.numeric(res$b), se = res$se, zval = res$zval, pval = res$pval, ci_lb = res$ci.lb,
       ci_ub = res$ci.ub, tau2 = res$tau2, I2 = res$I2, H2 = res$H2, R2 = if (is.null(res$R2)) NA else res$R2,
       QE = res$QE, QEp = res$QEp, QM = res$QM, QMp = res$QMp, QMdf = res$QMdf, df = if (is.null(res$ddf)) NA else res$ddf[1])
}
bcg_rr <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
BCG_TXT <- 'dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)'
REG <- list(
  list("BCG_ABLAT", "~ ablat", bcg_rr, BCG_TXT),
  list("BCG_ALLOC", "~ factor(alloc)", bcg_rr, BCG_TXT),
  list("BCG_ABLAT_YEAR", "~ ablat + year", bcg_rr, BCG_TXT),
  list("BCG_ABLAT_ALLOC", "~ ablat + factor(alloc)", bcg_rr, BCG_TXT),
  list("HACKSHAW_DESIGN", "~ factor(design)", dat.hackshaw1998, "dat <- dat.hackshaw1998"),
  list("HACKSHAW_YEAR", "~ year", dat.hackshaw1998, "dat <- dat.hackshaw1998"),
  list("RAUDENBUSH_WEEKS", "~ weeks", dat.raudenbush1985, "dat <- dat.raudenbush1985"))
for (r in REG) {
  for (m in c("REML", "ML", "DL", "PM", "FE")) {
    for (test in c("z", "knha")) {
      if (m == "FE" && test == "knha") next
      res <- rma(yi, vi, mods = as.formula(r[[2]]), data = r[[3]], method = m, test = test, control = CTRL)
      emit(key("REG", r[[1]], m, test), sprintf('%s\nres <- rma(yi, vi, mods = %s, data = dat, method = "%s", test = "%s", %s)',
                                                   r[[4]], r[[2]], m, test, CTRL_TXT), reg_values(res))
    }
  }
}

# --- Egger's regression test (regtest): classical (weighted lm) and metafor's default (rma, sei as moderator)
EGG <- list(list("BCG", bcg_rr, BCG_TXT),
            list("HACKSHAW", dat.hackshaw1998, "dat <- dat.hackshaw1998"),
            list("EGGER2001", escalc(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.egger2001),
                 'dat <- escalc(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.egger2001)'))
for (e in EGG) {
  r <- regtest(e[[2]]$yi, e[[2]]$vi, model = "lm")
  emit(key("EGGER", e[[1]], "LM"), sprintf('%s\nr <- regtest(dat$yi, dat$vi, model = "lm")', e[[3]]),
       list(zval = r$zval, pval = r$pval, dfs = r$dfs, est = r$est, ci_lb = r$ci.lb, ci_ub = r$ci.ub,
            slope = coef(summary(r$fit))[2, 1], intercept = coef(summary(r$fit))[1, 1]))
  for (m in c("REML", "FE", "DL")) {
    r <- regtest(rma(e[[2]]$yi, e[[2]]$vi, method = m, control = CTRL))
    emit(key("EGGER", e[[1]], m), sprintf('%s\nr <- regtest(rma(dat$yi, dat$vi, method = "%s", %s))', e[[3]], m, CTRL_TXT),
         list(zval = r$zval, pval = r$pval, est = r$est, ci_lb = r$ci.lb, ci_ub = r$ci.ub,
              slope = r$fit$b[2], intercept = r$fit$b[1], tau2 = r$fit$tau2))
  }
}

# --- leave-one-out (leave1out)
L1O <- list(list("BCG", bcg_rr, BCG_TXT), list("HACKSHAW", dat.hackshaw1998, "dat <- dat.hackshaw1998"))
for (e in L1O) {
  for (m in c("REML", "DL", "FE")) {
    l <- leave1out(rma(e[[2]]$yi, e[[2]]$vi, method = m, control = CTRL))
    emit(key("L1O", e[[1]], m), sprintf('%s\nl <- leave1out(rma(dat$yi, dat$vi, method = "%s", %s))', e[[3]], m, CTRL_TXT),
         list(estimate = l$estimate, se = l$se, zval = l$zval, pval = l$pval, ci_lb = l$ci.lb, ci_ub = l$ci.ub,
              Q = l$Q, Qp = l$Qp, tau2 = l$tau2, I2 = l$I2, H2 = l$H2))
  }
}
