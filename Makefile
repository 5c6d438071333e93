# The two README commands are `make demo` and `make test`; everything else is a step of them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      ?= .venv
PY        := $(VENV)/bin/python
BIN       := $(VENV)/bin
MOTO_PORT ?= 5000
export MOTO_PORT
# pytest-xdist workers; 1 runs the tests one after another in this process's order. Three on two
# cores: a worker often waits on its emulator or on an Ansible fork, so a third keeps both busy.
PYTEST_WORKERS ?= 3
# Ansible's strategy: mitogen_linear (Mitogen's; about half the CPU per task of Ansible's own) or
# linear (Ansible's default): `make demo STRATEGY=linear`, `make test STRATEGY=linear`.
STRATEGY ?= mitogen_linear
export STRATEGY
# For the demo's playbooks (tests/conftest.py sets the same for the tests' playbooks).
ANSIBLE_STRATEGY_ENV = ANSIBLE_STRATEGY=$(STRATEGY) \
  ANSIBLE_STRATEGY_PLUGINS=$(abspath $(wildcard $(VENV)/lib/python3*/site-packages/ansible_mitogen/plugins/strategy))
# Everything runs with the venv first on PATH, the repo's ansible.cfg, and no cowsay.
export PATH := $(abspath $(BIN)):$(PATH)
export ANSIBLE_CONFIG := $(abspath ansible.cfg)
export ANSIBLE_NOCOWS := 1

.PHONY: help venv demo bench test lint sanity pytest emulator-start emulator-stop emulator-reset build ee-context clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt constraints.txt
	@py=$$(scripts/find_python.sh); echo "venv: $$py"; \
	  [ -x $(PY) ] || "$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $@

venv: $(VENV)/.installed  ## create .venv with the pinned dependencies

emulator-start: venv  ## start the embedded AWS emulator (moto) on 127.0.0.1 (MOTO_PORT, default 5000)
	$(PY) scripts/emulator.py start

emulator-stop:  ## stop the emulator started by emulator-start
	@if [ -x $(PY) ]; then $(PY) scripts/emulator.py stop; fi

emulator-reset: emulator-start  ## empty the emulator
	$(PY) scripts/emulator.py reset

demo: venv  ## build the whole platform on an empty emulator and show what exists
	$(PY) scripts/emulator.py start
	$(PY) scripts/emulator.py reset
	AWS_ENDPOINT_URL=http://127.0.0.1:$(MOTO_PORT) $(ANSIBLE_STRATEGY_ENV) ansible-playbook playbooks/site.yml -i inventories/local
	AWS_ENDPOINT_URL=http://127.0.0.1:$(MOTO_PORT) $(ANSIBLE_STRATEGY_ENV) ansible-playbook playbooks/verify.yml -i inventories/local
	AWS_ENDPOINT_URL=http://127.0.0.1:$(MOTO_PORT) $(ANSIBLE_STRATEGY_ENV) ansible-playbook playbooks/show.yml -i inventories/local
	@echo "The emulator keeps running on http://127.0.0.1:$(MOTO_PORT); 'make emulator-stop' ends it."

# The benchmark's own emulator (never the demo's 5000); BENCH_ARGS=--first-linear adds a first
# converge under Ansible's linear strategy. Exit 1 only when a no-op converge wrote (see scripts/bench.py).
BENCH_PORT ?= 5100
export BENCH_PORT
BENCH_ARGS ?=

bench: venv  ## time first and no-op converges of site.yml on an emulator of its own; count AWS calls and writes (build/bench/)
	$(PY) scripts/bench.py --port $(BENCH_PORT) $(BENCH_ARGS)

lint: venv  ## yamllint and ansible-lint (production profile)
	yamllint --strict .
	ansible-lint --profile production

sanity: venv  ## ansible-test sanity on our plugins, in a copy laid out as ansible_collections/medtech/aws_platform
	scripts/ansible_test.sh sanity

pytest: venv  ## unit, integration and molecule tests on PYTEST_WORKERS processes (each starts its own emulator)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# lint and sanity each keep one core busy for a few minutes: they run beside pytest rather than
# before it. pytest prints as it goes; lint's and sanity's output goes to build/lint.log and
# build/sanity.log and is printed when it failed. Any failure fails `make test` (after pytest ends).
test: venv  ## every test: lint, sanity, pytest (unit, integration, molecule), side by side
	@mkdir -p build; rc=0; \
	  $(MAKE) --no-print-directory pytest & pytest=$$!; \
	  $(MAKE) --no-print-directory lint > build/lint.log 2>&1 & lint=$$!; \
	  $(MAKE) --no-print-directory sanity > build/sanity.log 2>&1 & sanity=$$!; \
	  for step in lint sanity; do \
	    if [ $$step = lint ]; then pid=$$lint; else pid=$$sanity; fi; \
	    if wait $$pid; then echo "make test: $$step passed (build/$$step.log)"; \
	    else cat build/$$step.log; echo "make test: $$step FAILED"; rc=1; fi; \
	  done; \
	  wait $$pytest || rc=1; \
	  exit $$rc

build: venv  ## build the collection tarball into build/
	ansible-galaxy collection build --force --output-path build .

ee-context: build  ## the AWX execution environment's build context in build/ee (execution-environment.yml)
	ansible-builder create -f execution-environment.yml -c build/ee --output-filename Containerfile

clean: emulator-stop  ## remove the venv, emulator state and build output
	rm -rf $(VENV) .emulator build reports
