# mk/fuzz.mk: libFuzzer harnesses (issue 10, item 1), included by the Makefile.
#
#   make fuzz                 fuzz each harness for FUZZ_TIME seconds (default 60),
#                             then merge what it found into tests/fuzz/corpus/<name>/
#   make fuzz FUZZ_NAMES=csv FUZZ_TIME=600      one harness, ten minutes
#   make fuzz-regress         replay tests/fuzz/corpus/*/ and tests/fuzz/regress/*/
#                             once through every harness (part of make test)
#   make fuzz-regress-clang   the same through the libFuzzer binaries
#   make fuzz-build           only build $(BUILD)/fuzz/fuzz_<name>
#   make fuzz-seed            add seeds cut from sample-data/ (tests/fuzz/seed.py)
#                             to tests/fuzz/corpus/; the next make fuzz minimizes
#   make fuzz-deps            install clang and libFuzzer (tests/tools/deps.sh)
#
# Harnesses: tests/fuzz/fuzz_<name>.c, one LLVMFuzzerTestOneInput each; a
# crash reproduces with  $(BUILD)/fuzz/fuzz_<name> FILE  and its input goes to
# tests/fuzz/regress/<name>/ once fixed.  tests/fuzz/<name>.dict is the
# libFuzzer dictionary when present.
#
# Two builds of the same harnesses:
#   - libFuzzer: clang, the whole LIB_SRC compiled again under $(BUILD)/fuzz/
#     with -fsanitize=fuzzer-no-link,address,undefined (coverage feedback);
#   - replay: gcc, the harness plus tests/fuzz/replay.c linked with the ASan
#     build's library ($(BUILD)/asan/libcallsurvey.a, which make test builds
#     anyway).  fuzz-regress uses it, so make test needs no clang and spends
#     seconds, not a second full library build.

FUZZ_NAMES ?= json csv events time template
FUZZ_TIME  ?= 60
FUZZ_CC    ?= clang
FUZZ_FLAGS ?=
FUZZ_DIR   := $(BUILD)/fuzz

# -max_len per harness: a few records, a template, one time text.
FUZZ_MAXLEN_json     := 2048
FUZZ_MAXLEN_csv      := 2048
FUZZ_MAXLEN_events   := 2048
FUZZ_MAXLEN_time     := 64
FUZZ_MAXLEN_template := 2048

FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The project's flags without -Werror: the gcc build enforces the warning
# set; clang warns a little differently (-Wsometimes-uninitialized,
# -Wunused-but-set-variable) and those are shown here, not made fatal, so a
# clang-only warning in someone's new code cannot stop fuzzing.
FUZZ_CFLAGS = $(filter-out -Werror,$(BASE_CFLAGS)) -g -O1 $(FUZZ_SAN) \
              -fsanitize=fuzzer-no-link

FUZZ_BINS   := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/asan/fuzz/fuzz_%)

# clang needs the fuzzer runtime of its own version; deps.sh installs both.
DEB_FUZZ := clang libclang-rt-14-dev

TEST_EXTRA += fuzz-regress

.PHONY: fuzz fuzz-build fuzz-deps fuzz-seed fuzz-regress fuzz-regress-clang

fuzz-deps:
	@sh tests/tools/deps.sh $(DEB_FUZZ)

fuzz-seed:
	$(Q)python3 tests/fuzz/seed.py tests/fuzz/corpus

fuzz-build: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)

# ---- libFuzzer build (clang) -------------------------------------------

$(FUZZ_DIR)/obj/%.o: %.c | $(JSMN_CS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<  [fuzz]")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(CFLAGS) -c $< -o $@

$(FUZZ_DIR)/libcallsurvey.a: $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_DIR)/libcallsurvey.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LIBS)

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)

# ---- replay build (the ASan variant's compiler and library) ------------

$(BUILD)/asan/fuzz/fuzz_%: $(BUILD)/asan/obj/tests/fuzz/fuzz_%.o \
                           $(BUILD)/asan/obj/tests/fuzz/replay.o $(BUILD)/asan/libcallsurvey.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -O1 -g $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# ---- running -------------------------------------------------------------

# Fuzz each harness in turn: new inputs go to $(FUZZ_DIR)/corpus/<name>/
# (the committed corpus is read, not written), crashes to
# $(FUZZ_DIR)/crashes/<name>/.  Afterwards the committed corpus is replaced
# by a -merge=1 minimization of itself plus what was found.  Every harness
# runs even when one crashes; the target fails at the end if any did.
fuzz: fuzz-build
	$(Q)fail=""; \
	for n in $(FUZZ_NAMES); do \
	  c=tests/fuzz/corpus/$$n; w=$(FUZZ_DIR)/corpus/$$n; m=$(FUZZ_DIR)/merge/$$n; \
	  a=$(FUZZ_DIR)/crashes/$$n; mkdir -p $$c $$w $$a; \
	  case $$n in json) l=$(FUZZ_MAXLEN_json);; csv) l=$(FUZZ_MAXLEN_csv);; \
	    events) l=$(FUZZ_MAXLEN_events);; time) l=$(FUZZ_MAXLEN_time);; \
	    *) l=$(FUZZ_MAXLEN_template);; esac; \
	  d=""; [ -f tests/fuzz/$$n.dict ] && d=-dict=tests/fuzz/$$n.dict; \
	  echo "fuzz: $$n for $(FUZZ_TIME) s (max_len $$l)"; \
	  if $(FUZZ_DIR)/fuzz_$$n -max_total_time=$(FUZZ_TIME) -max_len=$$l -timeout=10 \
	       -print_final_stats=1 -artifact_prefix=$$a/ $$d $(FUZZ_FLAGS) $$w $$c \
	       >$(FUZZ_DIR)/$$n.log 2>&1; then \
	    rm -rf $$m && mkdir -p $$m && \
	    $(FUZZ_DIR)/fuzz_$$n -merge=1 -max_len=$$l $$m $$c $$w >>$(FUZZ_DIR)/$$n.log 2>&1 && \
	    rm -f $$c/* && cp $$m/* $$c/ && \
	    grep -E '^stat::|^#[0-9]+.*DONE' $(FUZZ_DIR)/$$n.log | sed "s/^/fuzz: $$n: /"; \
	    echo "fuzz: $$n: corpus $$(ls $$c | wc -l) files, $$(cat $$c/* | wc -c) bytes"; \
	  else \
	    echo "fuzz: $$n FAILED: see $(FUZZ_DIR)/$$n.log and $$a/"; fail="$$fail $$n"; \
	  fi; \
	done; \
	[ -z "$$fail" ] || { echo "fuzz: crashes in:$$fail"; exit 1; }

# Every committed input once through each harness (no fuzzing).
fuzz-regress: $(FUZZ_REPLAY)
	$(Q)for n in $(FUZZ_NAMES); do \
	  dirs=""; for d in tests/fuzz/corpus/$$n tests/fuzz/regress/$$n; do \
	    [ -d $$d ] && dirs="$$dirs $$d"; done; \
	  [ -n "$$dirs" ] || continue; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(BUILD)/asan/fuzz/fuzz_$$n $$dirs || exit 1; \
	done

fuzz-regress-clang: fuzz-build
	$(Q)for n in $(FUZZ_NAMES); do \
	  dirs=""; for d in tests/fuzz/corpus/$$n tests/fuzz/regress/$$n; do \
	    [ -d $$d ] && dirs="$$dirs $$d"; done; \
	  [ -n "$$dirs" ] || continue; \
	  log=$(FUZZ_DIR)/$$n.regress.log; \
	  $(FUZZ_DIR)/fuzz_$$n -runs=0 $$dirs >$$log 2>&1 || { cat $$log; exit 1; }; \
	  grep -E 'INITED' $$log | sed "s/^/fuzz-regress-clang: $$n: /"; \
	done
