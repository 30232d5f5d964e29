# mk/html.mk: the browser check of report.html (issue 19), included by the Makefile.
#
#   make html-check    (part of make test; about 20 s)
#
# Debian's chromium (make deps) driven headless over the DevTools protocol
# by npm's puppeteer-core (never `puppeteer`, which downloads a browser of
# its own), with axe-core run inside the page; both pinned in
# tests/html/package.json and package-lock.json and installed with npm ci
# into $(BUILD)/html/node_modules (test-only, never committed).
# tests/html/check.js writes the sample report and the hostile-text
# report (tests/cli/111-hostile-text/make.py) and checks them in the
# browser: see the top of that file.

DEB_TEST += chromium
ifeq ($(shell command -v npm 2>/dev/null),)
DEB_TEST += nodejs npm
endif
TEST_EXTRA += html-check

HTML_DIR := $(BUILD)/html
HTML_PUP := $(HTML_DIR)/node_modules/puppeteer-core/package.json

$(HTML_PUP): tests/html/package.json tests/html/package-lock.json
	@mkdir -p $(HTML_DIR)
	$(Q)cp tests/html/package.json tests/html/package-lock.json $(HTML_DIR)/
	$(Q)PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix $(HTML_DIR) --no-audit --no-fund --loglevel=error
	$(Q)touch $@

.PHONY: html-check
html-check: $(BUILD)/callsurvey $(HTML_PUP)
	$(Q)node tests/html/check.js $(BUILD)/callsurvey $(HTML_DIR)/node_modules $(HTML_DIR)/work
