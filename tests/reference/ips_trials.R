# Reference values for the real IPS trials taught in notebook 06 (issue 19).
# Reads ipsresearch/datasets/ips_rcts.csv and builds the three pooled sets here, in R, from the
# table's own columns (analysis_set, inferred_*), independently of ipsresearch.studies.ips_trials:
#   primary                      analysis_set == "primary"
#   primary + sensitivity        analysis_set in (primary, sensitivity)
#   ... + what-if                also analysis_set == "none" rows with all four inferred_* counts;
#                                rows of one trial sharing the IPS arm get their control arms summed
# Run: Rscript tests/reference/ips_trials.R > tests/reference/ips_trials_values.py
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))),
                 "meta_common.R"))
header("ips_trials.R", "metafor on the real IPS trials of ipsresearch/datasets/ips_rcts.csv.")
cat("nan = float(\"nan\")\n")

key <- function(...) toupper(gsub("[^A-Za-z0-9]+", "_", paste(..., sep = "_")))
confint_values <- function(res) {
  ci <- confint(res, control = list(tol = 1e-12))$random
  list(tau2 = ci[1, ], tau = ci[2, ], I2 = ci[3, ], H2 = ci[4, ])
}

CTRL <- list(threshold = 1e-10, tol = 1e-14, maxiter = 1000)
CTRL_TXT <- "control = list(threshold = 1e-10, tol = 1e-14, maxiter = 1000)"

trials <- read.csv(here("../../ipsresearch/datasets/ips_rcts.csv"), stringsAsFactors = FALSE)
settled <- function(sets) {
  d <- trials[trials$analysis_set %in% sets, ]
  data.frame(trial = d$trial, region = d$region, control = d$control_category,
             ai = d$events_ips, n1i = d$n_ips, ci = d$events_control, n2i = d$n_control)
}
inferred <- function() {
  d <- trials[trials$analysis_set == "none" & !is.na(trials$inferred_n_ips) &
              !is.na(trials$inferred_events_ips) & !is.na(trials$inferred_n_control) &
              !is.na(trials$inferred_events_control), ]
  d <- data.frame(trial = d$trial, region = d$region, control = d$control_category,
                  ai = d$inferred_events_ips, n1i = d$inferred_n_ips,
                  ci = d$inferred_events_control, n2i = d$inferred_n_control)
  # one row per trial: the shared IPS arm once, the control arms summed
  do.call(rbind, lapply(split(d, d$trial), function(g) {
    stopifnot(length(unique(g$ai)) == 1, length(unique(g$n1i)) == 1)
    data.frame(trial = g$trial[1], region = g$region[1], control = g$control[1], ai = g$ai[1],
               n1i = g$n1i[1], ci = sum(g$ci), n2i = sum(g$n2i))
  }))
}
SETS <- list(PRIMARY = settled("primary"),
             SENSITIVITY = settled(c("primary", "sensitivity")),
             WHAT_IF = rbind(settled(c("primary", "sensitivity")), inferred()))
SET_TXT <- list(PRIMARY = 'analysis_set == "primary"',
                SENSITIVITY = 'analysis_set %in% c("primary", "sensitivity")',
                WHAT_IF = 'analysis_set %in% c("primary", "sensitivity"), plus the inferred_* rows (Mueser 2004 control arms summed)')

for (name in names(SETS)) {
  d <- SETS[[name]]
  dat <- escalc(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
  call_dat <- sprintf('d <- trials[%s]\ndat <- escalc(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)', SET_TXT[[name]])
  cat(sprintf("\n%s_TRIALS = [%s]\n", name, paste0('"', d$trial, '"', collapse = ", ")))
  for (test in c("z", "knha")) {
    res <- rma(yi, vi, data = dat, method = "REML", test = test, control = CTRL)
    emit(key(name, "REML", test), sprintf('%s\nres <- rma(yi, vi, data = dat, method = "REML", test = "%s", %s)\npredict(res)  # pi_lb, pi_ub: log scale, as b and ci_lb, ci_ub', call_dat, test, CTRL_TXT),
         c(fit_values(res), list(df = if (test == "knha") res$ddf else NA)))
  }
  res <- rma(yi, vi, data = dat, method = "REML", control = CTRL)
  emit(key(name, "QPROFILE"), sprintf('%s\nconfint(rma(yi, vi, data = dat, method = "REML", %s), control = list(tol = 1e-12))$random', call_dat, CTRL_TXT),
       confint_values(res))
  for (mod in c("region", "control")) {
    if (length(unique(d[[mod]])) < 2) next
    res <- rma(yi, vi, mods = ~ factor(dat[[mod]]), data = dat, method = "REML", test = "knha", control = CTRL)
    emit(key(name, "MODS", mod), sprintf('%s\nres <- rma(yi, vi, mods = ~ factor(%s), data = dat, method = "REML", test = "knha", %s)', call_dat, mod, CTRL_TXT),
         list(b = res$b[, 1], se = res$se, QM = res$QM, QMdf = res$QMdf, QMp = res$QMp, tau2 = res$tau2,
              R2 = if (is.null(res$R2)) NA else res$R2, QE = res$QE))
  }
  for (level in sort(unique(d$region))) {
    sub <- dat[dat$region == level, ]
    res <- rma(yi, vi, data = sub, method = "REML", test = "knha", control = CTRL)
    emit(key(name, "REGION", level), sprintf('%s\nres <- rma(yi, vi, data = dat, subset = region == "%s", method = "REML", test = "knha", %s)', call_dat, level, CTRL_TXT),
         fit_values(res))
  }
  # the pitfall: arm totals passed as the count without the outcome (escalc's bi and di)
  bad <- escalc(measure = "RR", ai = ai, bi = n1i, ci = ci, di = n2i, data = d)
  res <- rma(yi, vi, data = bad, method = "REML", test = "knha", control = CTRL)
  emit(key(name, "MISREAD"), sprintf('d <- trials[%s]\nbad <- escalc(measure = "RR", ai = ai, bi = n1i, ci = ci, di = n2i, data = d)  # totals given as non-events\nres <- rma(yi, vi, data = bad, method = "REML", test = "knha", %s)', SET_TXT[[name]], CTRL_TXT),
       c(fit_values(res), list(yi = bad$yi)))
}
