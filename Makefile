# The README's two commands: `make demo` and `make test`. Each installs what it needs.
# The newest Python that requires-python (pyproject.toml) allows and the tests pass on, among
# those on PATH that run (a pyenv shim may exist without its version being active).
SUPPORTED_PYTHONS := 3.13 3.12 3.11
PYTHON ?= $(shell for v in $(SUPPORTED_PYTHONS); do python$$v -c "" 2>/dev/null && { command -v python$$v; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench render clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || test -n "$(PYTHON)" || { echo "no python3.13, python3.12 or python3.11 runs here (firescore supports 3.11 to 3.13)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "using $$($(BIN)/python --version) in $(VENV)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The sample's two quarters, then 2026Q2 through its disputes to the final (docs/appeals.md):
# the draft dates fix the dispute windows; a second `make demo` finds 2026Q2 final and unchanged.
demo: install
	$(BIN)/firescore run --quarter 2026Q1 --at "2026-04-13 09:00"
	$(BIN)/firescore run --quarter 2026Q2 --at "2026-07-13 09:00"
	$(BIN)/firescore appeals --quarter 2026Q2
	$(BIN)/firescore publish --quarter 2026Q2 --final --by 张明 --at "2026-07-24 17:00"

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Print each kind of workbook as LibreOffice does (not part of `make test`): out/render/*.pdf and
# one PNG per page under out/render/png/. Needs soffice and pdftoppm (README: "Look at the pages").
RENDER := out/render
render: demo
	@command -v soffice >/dev/null || { echo "soffice missing: apt-get install libreoffice-calc-nogui poppler-utils fonts-noto-cjk"; exit 2; }
	$(BIN)/firescore run --year 2026
	$(BIN)/firescore templates --quarter 2026Q3 --unit JD01 --out $(RENDER)/templates
	rm -rf $(RENDER)/png $(RENDER)/*.pdf && mkdir -p $(RENDER)/png
	soffice --headless --convert-to pdf --outdir $(RENDER) \
		out/2026Q2/考核结果_2026Q2.xlsx out/2026Q2/单位反馈/JD01_*.xlsx \
		out/2026Q2/validation/校验问题_2026Q2.xlsx out/2026/年度考核结果_2026.xlsx \
		$(RENDER)/templates/*.xlsx >/dev/null
	@for pdf in $(RENDER)/*.pdf; do \
		name=$$(basename "$$pdf" .pdf); \
		pdftoppm -r 60 -png "$$pdf" "$(RENDER)/png/$$name"; \
		echo "$$pdf: $$(pdfinfo "$$pdf" | awk '/^Pages:/ {print $$2}') pages"; \
	done

clean:
	rm -rf out
