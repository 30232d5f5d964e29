# mk/libreoffice.mk: the LibreOffice proof of issue 10, included by the
# Makefile.  Survey text that starts like a formula (=HYPERLINK(...), +, -,
# @) opens in LibreOffice Calc as text, from report.xlsx and from the CSV
# tables; control files with real formulas show the check would catch one.
#
#   make libreoffice-test     (part of make test; about 20-40 s, most of it
#                              two headless soffice starts)
#
# make deps installs libreoffice-calc-nogui (no recommends: no Java, no GUI).

DEB_TEST   += libreoffice-calc-nogui
TEST_EXTRA += libreoffice-test

.PHONY: libreoffice-test
libreoffice-test: $(BUILD)/callsurvey
	$(Q)CALLSURVEY=$(BUILD)/callsurvey sh tests/libreoffice/run.sh
