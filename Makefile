# ipsresearch: two commands on a fresh machine (Python 3.11+ and make):
#   make report   build the synthetic data and the HTML reports in reports/
#   make test     run the whole test suite
# The first call creates .venv and installs the package; later calls reuse it
# until pyproject.toml or requirements.lock change.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ipsresearch-installed
JOBS   ?=

.PHONY: report test lab kernel data verify lint screenshots clean-venv help

help:
	@echo "make report   build data_synthetic/ and reports/ (index.html, one page per notebook)"
	@echo "make test     run the test suite"
	@echo "make lab      open JupyterLab on notebooks/ with the package's kernel"
	@echo "make kernel   register the package's kernel (ipsresearch) in your own Jupyter(Lab, Hub)"
	@echo "make verify   recompute every published claim"
	@echo "make lint     ruff"
	@echo "make screenshots  rebuild reports/ and retake docs/screenshots/ (needs chromium)"

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ipsresearch needs Python 3.11 or newer; found " + sys.version.split()[0] + " (set PYTHON=python3.11)")'
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
		echo "recreating $(VENV) (broken or too old)"; rm -rf $(VENV); fi
	@[ -x $(BIN)/python ] || { echo "creating $(VENV)/ with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@echo "installing into $(VENV)/: pip itself, then ipsresearch with the exact versions of requirements.lock"
	@echo "  (numpy, pandas, SciPy, statsmodels, matplotlib, JupyterLab, nbconvert, ... about 120 packages;"
	@echo "   the first time takes a few minutes, later runs only when pyproject.toml or requirements.lock change)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	@echo "registering the Jupyter kernel 'Python (ipsresearch)' in $(VENV)/"
	$(BIN)/python -m ipykernel install --sys-prefix --name ipsresearch --display-name "Python (ipsresearch)" >/dev/null
	@touch $(STAMP)
	@echo "$(VENV)/ is ready"

report: $(STAMP)
	@echo "regenerating the synthetic data in data_synthetic/ (a file is rewritten only if its bytes change)"
	$(BIN)/ipsresearch data
	@echo "building the reports: every notebook in a fresh kernel, then reports/index.html"
	$(BIN)/ipsresearch build $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

# For a JupyterLab or JupyterHub installed elsewhere: the kernel spec goes to the user's own
# Jupyter data folder (~/.local/share/jupyter/kernels/ipsresearch) and starts this .venv's Python.
kernel: $(STAMP)
	$(BIN)/python -m ipykernel install --user --name ipsresearch --display-name "Python (ipsresearch)"

data: $(STAMP)
	$(BIN)/ipsresearch data

verify: $(STAMP)
	$(BIN)/ipsresearch verify

lint: $(STAMP)
	$(BIN)/ruff check ipsresearch tests benchmarks

screenshots: report
	@echo "taking the README's screenshots of reports/ at 1,280 pixels into docs/screenshots/"
	$(BIN)/python tools/screenshots.py --reports reports --out docs/screenshots

clean-venv:
	rm -rf $(VENV)
