# callsurvey: one non-recursive Makefile.
#   make            release build: build/callsurvey (everything but main.c in build/libcallsurvey.a)
#   make run        build and run the default report on sample-data/ (writes out/)
#   make test       unit + end-to-end tests, normal build and ASan+UBSan build
#   make bench      the performance benchmark (never part of make test)
#   make deps       install missing Debian packages (apt-get, when root)
#   make install PREFIX=/usr/local
# Sources are discovered by wildcard: a new src/<module>/x.c or tests/unit/test_x.c
# needs no Makefile edit.  V=1 shows full commands.

.DEFAULT_GOAL := all

PREFIX    ?= /usr/local
CC        ?= cc
BUILD     ?= build
PKGS      := sqlite3 xlsxwriter cairo pangocairo libpng libcjson gsl libcyaml yaml-0.1 nettle libisal libsodium
# Debian packages: build/run dependencies, then test-only ones.
DEB_BUILD := build-essential pkg-config libsqlite3-dev libxlsxwriter-dev libcairo2-dev \
             libpango1.0-dev libpng-dev fonts-dejavu-core libcsv-dev libcjson-dev libjsmn-dev patch \
             libcyaml-dev libyaml-dev libgsl-dev nettle-dev zlib1g-dev libisal-dev libsodium-dev
DEB_TEST  := libcmocka-dev python3 python3-openpyxl poppler-utils sqlite3 time libxml2-utils unzip \
             clang-format

WARN      := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wvla -Wimplicit-fallthrough -Wcast-qual -Wnull-dereference \
             -Wdouble-promotion -Werror
BASE_CFLAGS = -std=c17 -D_GNU_SOURCE $(WARN) -Isrc -I$(BUILD)/gen -MMD -MP \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# the exports let render/deflate.c interpose zlib's deflateInit2_, deflate,
# deflateReset, deflateEnd and crc32 for minizip and libpng (render/deflate.h),
# and render/xlsx_body.c minizip's calls for libxlsxwriter (xlsx_body.h)
LIBS       = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread -lm \
             -Wl,--export-dynamic-symbol=deflateInit2_ \
             -Wl,--export-dynamic-symbol=deflate -Wl,--export-dynamic-symbol=deflateEnd \
             -Wl,--export-dynamic-symbol=deflateReset -Wl,--export-dynamic-symbol=crc32 \
             -Wl,--export-dynamic-symbol=zipOpenNewFileInZip4_64 \
             -Wl,--export-dynamic-symbol=zipWriteInFileInZip \
             -Wl,--export-dynamic-symbol=zipCloseFileInZip
OPT       ?= -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Optional parts (fuzzing, fault injection, ...) live in mk/*.mk, included at
# the end; each may add Debian packages to DEB_TEST and targets to TEST_EXTRA
# (run by make test after the other tiers).
TEST_EXTRA :=

LIB_SRC   := $(sort $(shell find src -name '*.c' ! -path src/main.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
# test-only code shared by unit tests and tools (tests/tools/lib): its own
# archive, linked into those binaries only, so the library has no test code
TESTLIB_SRC := $(sort $(wildcard tests/tools/lib/*.c))

# jsmn as Debian ships it, with mk/jsmn-skip.patch (its string scan 16 bytes
# at a time; tests/unit/test_jsmn_skip.c holds it to the stock header's
# tokens): src/ingest/json_read.c includes the result as "jsmn_cs.h"
JSMN_HEADER ?= /usr/include/jsmn.h
JSMN_CS     := $(BUILD)/gen/jsmn_cs.h
$(JSMN_CS): $(JSMN_HEADER) mk/jsmn-skip.patch
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PATCH   $(JSMN_HEADER) -> $@")
	$(Q)patch -s -r - -o $@.tmp $(JSMN_HEADER) < mk/jsmn-skip.patch && mv $@.tmp $@

# $(1) = build dir, $(2) = extra cflags
define variant
$(1)/obj/%.o: %.c | $(JSMN_CS)
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  CC      $$<  [$(1)]")
	$(Q)$$(CC) $$(BASE_CFLAGS) $(2) $$(CFLAGS) -c $$< -o $$@

$(1)/libcallsurvey.a: $$(LIB_SRC:%.c=$(1)/obj/%.o)
	@mkdir -p $$(dir $$@)
	$(Q)rm -f $$@ && ar rcs $$@ $$^

$(1)/callsurvey: $(1)/obj/src/main.o $(1)/libcallsurvey.a
	@$(if $(Q),echo "  LD      $$@")
	$(Q)$$(CC) $(2) $$(LDFLAGS) -o $$@ $$^ $$(LIBS)

$(1)/libcstest.a: $$(TESTLIB_SRC:%.c=$(1)/obj/%.o)
	@mkdir -p $$(dir $$@)
	$(Q)rm -f $$@ && ar rcs $$@ $$^

$(1)/tests/%: $(1)/obj/tests/unit/%.o $(1)/libcstest.a $(1)/libcallsurvey.a
	@mkdir -p $$(dir $$@)
	$(Q)$$(CC) $(2) $$(LDFLAGS) -o $$@ $$^ $$(LIBS) -lcmocka

$(1)/tools/%: $(1)/obj/tests/tools/%.o $(1)/libcstest.a $(1)/libcallsurvey.a
	@mkdir -p $$(dir $$@)
	$(Q)$$(CC) $(2) $$(LDFLAGS) -o $$@ $$^ $$(LIBS)

-include $$(shell find $(1)/obj -name '*.d' 2>/dev/null)
endef

$(eval $(call variant,$(BUILD),$(OPT)))
$(eval $(call variant,$(BUILD)/asan,-O1 -g $(SAN_FLAGS) -DCS_SANITIZED))

UNIT_BINS      := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_BINS_ASAN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/asan/tests/%)
TOOL_BINS      := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

.PHONY: all run test test-fast unit unit-asan cli cli-asan bench deps install clean check-headers check-layers format-check format check-size check-dups
.SECONDARY:

all: $(BUILD)/callsurvey

deps:
	@sh tests/tools/deps.sh $(DEB_BUILD) -- $(DEB_TEST)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(BUILD)/callsurvey report -o out sample-data

# The README's test command: everything CI runs.  The binaries of every
# tier are compiled first, on all cores (JOBS); the tiers then run one at a
# time, as their timing-sensitive cases (kill loops, concurrency) expect.
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
TEST_BINS  = $(BUILD)/callsurvey $(UNIT_BINS) $(TOOL_BINS) $(BUILD)/asan/callsurvey \
             $(UNIT_BINS_ASAN) $(FAULTS_BUILD)/callsurvey $(FAULTS_ASAN_BUILD)/callsurvey
test: deps
	$(Q)$(MAKE) --no-print-directory format-check check-headers check-layers check-size check-dups
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) $(TEST_BINS)
	$(Q)$(MAKE) --no-print-directory test-fast
	$(Q)$(MAKE) --no-print-directory unit-asan cli-asan
	$(Q)$(if $(strip $(TEST_EXTRA)),$(MAKE) --no-print-directory $(TEST_EXTRA))
	@echo "make test: all tiers passed (normal and ASan+UBSan)"

test-fast: all $(UNIT_BINS) $(TOOL_BINS)
	$(Q)$(MAKE) --no-print-directory unit cli

unit: $(UNIT_BINS) $(TOOL_BINS)
	$(Q)sh tests/tools/run-unit.sh $(UNIT_BINS)

cli: $(BUILD)/callsurvey $(TOOL_BINS)
	$(Q)CALLSURVEY=$(BUILD)/callsurvey TOOLS=$(BUILD)/tools sh tests/cli/run.sh

unit-asan: $(UNIT_BINS_ASAN)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  sh tests/tools/run-unit.sh $(UNIT_BINS_ASAN)

cli-asan: $(BUILD)/asan/callsurvey $(TOOL_BINS)
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 CLI_SANITIZED=1 \
	  CALLSURVEY=$(BUILD)/asan/callsurvey TOOLS=$(BUILD)/tools sh tests/cli/run.sh

bench: deps all $(TOOL_BINS)
	$(Q)sh tests/bench/bench.sh $(BUILD)/callsurvey

# Each header compiles alone, and twice in one unit (its include guard
# works), with the project's warnings; the typedef keeps a header of macros
# alone from being an empty unit.
check-headers:
	$(Q)fail=0; for h in $$(find src -name '*.h' | sort); do \
	  printf '#include "%s"\n#include "%s"\ntypedef int cs_check_headers_unit;\n' \
	    "$${h#src/}" "$${h#src/}" | \
	  $(CC) $(BASE_CFLAGS) -x c -fsyntax-only -o /dev/null - || { echo "check-headers: $$h"; fail=1; }; done; \
	  [ $$fail = 0 ] && echo "check-headers: $$(find src -name '*.h' | wc -l) headers self-contained, guarded"

# The include graph of src/ follows the layers (core < stats < model <
# ingest, gen < store < render < report < cmd < main.c) with no cycle
# between files: tests/tools/layers.sh says which edge breaks it.
check-layers:
	$(Q)sh tests/tools/layers.sh src

# The committed .clang-format is the style; a file that differs from what
# clang-format makes of it fails, with the diff.
FORMAT_SRC = $(shell find src tests/unit tests/tools tests/fuzz -name '*.[ch]' | sort)
format-check:
	$(Q)fail=0; for f in $(FORMAT_SRC); do \
	  clang-format --style=file "$$f" | diff -u "$$f" - >/dev/null || \
	    { clang-format --style=file "$$f" | diff -u "$$f" - | head -20; fail=1; }; done; \
	  [ $$fail = 0 ] && echo "format-check: $(words $(FORMAT_SRC)) files formatted"

format:
	$(Q)clang-format --style=file -i $(FORMAT_SRC)

# Size limits (issue 16): no function over 120 lines, no file over 1,000.
# Part of make test: no function over 120 lines and no file over 1,000 in
# src/ (SIZE_PATHS=src/render checks one module), and no function body
# defined twice (check-dups).
SIZE_PATHS ?= src
check-size:
	$(Q)python3 tests/tools/fnsize.py --max-fn 120 --max-file 1000 $(SIZE_PATHS)

check-dups:
	$(Q)python3 tests/tools/fnsize.py --dups $(SIZE_PATHS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/callsurvey/templates
	install -m 755 $(BUILD)/callsurvey $(DESTDIR)$(PREFIX)/bin/callsurvey
	install -m 644 templates/*.yaml $(DESTDIR)$(PREFIX)/share/callsurvey/templates/
	install -d $(DESTDIR)$(PREFIX)/share/callsurvey/templates/examples
	install -m 644 templates/examples/*.yaml $(DESTDIR)$(PREFIX)/share/callsurvey/templates/examples/

clean:
	rm -rf $(BUILD) out

# Optional parts: see TEST_EXTRA above.  Included last so they can use every
# variable and the variant rules defined here.
-include $(sort $(wildcard mk/*.mk))
