# The two commands of README.md: `make demo` and `make test`.
# Both install what is needed first (scripts/setup.sh is idempotent and quick when done).
.PHONY: setup demo test check lock render-sample clean

VENV := .venv
STAMP := $(VENV)/.installed

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml scripts/setup.sh scripts/system-packages.txt
	bash scripts/setup.sh
	touch $(STAMP)

demo: setup
	$(VENV)/bin/renfang demo $(DEMO_ARGS)

test: setup
	$(VENV)/bin/python -m pytest

# The quick tier for a developer's loop (README "Development"): no slow, OCR or browser test.
check: setup
	$(VENV)/bin/python -m pytest -q -m "not slow and not ocr and not browser"

# Re-pin the dependencies of pyproject.toml into requirements.lock.
lock:
	$(VENV)/bin/python -m pip install -q uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra render --python-version 3.11 -o requirements.lock

# Re-render the sample portal's documents from ../shared/seeds (output is committed).
render-sample: setup
	$(VENV)/bin/python -m sample_portal.render

clean:
	rm -rf $(VENV) .pytest_cache
