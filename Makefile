# Convenience targets; each one goes through dev.py, which needs nothing but Python 3.11+ and pip.
.PHONY: report test test-fast lab app lint sample-data
report:      ## set up .venv and run the design report over the sample data -> reports/
	python3 dev.py report
test:        ## set up .venv and run every test (unit, notebooks, interop, browser)
	python3 dev.py test
test-fast:   ## unit + notebook tests only
	python3 dev.py test -m "not interop and not browser"
lab:         ## open the notebooks in JupyterLab
	python3 dev.py lab
app:         ## the no-code dashboard (Voila)
	python3 dev.py app
lint:
	.venv/bin/ruff check workbench tests bench tools dev.py
sample-data: ## regenerate the committed sample data (same seed, same bytes)
	.venv/bin/workbench sample-data --out sample_data
