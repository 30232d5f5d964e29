# mk/kql.mk: the KQL check of issue 21, included by the Makefile.
#
#   make kql-check    (part of make test; about 15 s)
#
# Installs Microsoft's Kusto language service, @kusto/language-service-next
# (the exact version pinned in tests/kql/package.json and package-lock.json),
# with npm ci into $(BUILD)/kql/node_modules — test-only, never committed —
# and runs tests/kql/check.js: every command line of tests/kql/cases.txt is
# given to `callsurvey kql`, and the printed query is parsed and analysed
# against ACSCallSurvey, ACSCallSummary, customEvents and AppEvents
# (tests/kql/schema.json): no Error diagnostics, and the result columns
# equal `callsurvey kql --print-columns`.  The golden queries
# (tests/kql/golden/*.kql) are compared byte for byte by the CLI case
# tests/cli/*-kql-golden; `make kql-golden` rewrites them after a change
# that was meant.

# Node and npm: this kind of machine ships them (not from Debian); where
# they are missing, Debian's packages bring them.
ifeq ($(shell command -v npm 2>/dev/null),)
DEB_TEST   += nodejs npm
endif
TEST_EXTRA += kql-check

KQL_DIR := $(BUILD)/kql
KQL_LS  := $(KQL_DIR)/node_modules/@kusto/language-service-next/package.json

$(KQL_LS): tests/kql/package.json tests/kql/package-lock.json
	@mkdir -p $(KQL_DIR)
	$(Q)cp tests/kql/package.json tests/kql/package-lock.json $(KQL_DIR)/
	$(Q)npm ci --prefix $(KQL_DIR) --no-audit --no-fund --loglevel=error
	$(Q)touch $@

.PHONY: kql-check kql-golden
kql-check: $(BUILD)/callsurvey $(KQL_LS)
	$(Q)node tests/kql/check.js $(BUILD)/callsurvey $(KQL_DIR)/node_modules

kql-golden: $(BUILD)/callsurvey
	$(Q)set -f; grep -v '^#' tests/kql/cases.txt | while IFS='	' read -r name args; do \
	  [ -n "$$name" ] || continue; \
	  $(BUILD)/callsurvey kql $$args > tests/kql/golden/$$name.kql || exit 1; \
	done; echo "kql-golden: rewrote tests/kql/golden/"
