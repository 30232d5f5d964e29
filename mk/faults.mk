# mk/faults.mk: the fault-injection tier (STYLE.md 14, issue 10 item 3).
#   make test-faults   build two TEST_FAULTS variants and run
#                      tests/faults/run.sh: list every allocation and output
#                      site the sample commands pass, then fail each in turn
#                      (test-fault-sites, also run by make test); then the
#                      CLI suite CLI_REPEAT (20) times (test-cli-repeat)
# Allocation faults run on $(BUILD)/faults (plain -O1: an allocation failure
# ends the process at once, so a sanitizer has nothing more to see and would
# only make the ~600 runs four times slower); create, write, rename and
# SQLite faults, whose error paths run on to a normal exit, run on
# $(BUILD)/faults-asan (ASan+UBSan, leak checks on).
# make test runs test-fault-sites after the other tiers (TEST_EXTRA).  The CLI cases for
# /dev/full, unreadable input, a full disk and signals are ordinary
# tests/cli cases and run in the cli and cli-asan tiers.

FAULTS_BUILD      := $(BUILD)/faults
FAULTS_ASAN_BUILD := $(BUILD)/faults-asan
$(eval $(call variant,$(FAULTS_BUILD),-O1 -g -DTEST_FAULTS))
$(eval $(call variant,$(FAULTS_ASAN_BUILD),-O1 -g $(SAN_FLAGS) -DCS_SANITIZED -DTEST_FAULTS))

.PHONY: test-faults test-fault-sites test-cli-repeat test-kill-outdir
# The fault loop; make test runs it (TEST_EXTRA).
test-fault-sites: $(FAULTS_BUILD)/callsurvey $(FAULTS_ASAN_BUILD)/callsurvey
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  CALLSURVEY=$(FAULTS_BUILD)/callsurvey CALLSURVEY_ASAN=$(FAULTS_ASAN_BUILD)/callsurvey \
	  sh tests/faults/run.sh

# The longer variant of CLI case 121 (issue 15 item 10): 200 SIGKILLs of a
# report at delays spread over a whole run (KILL_N to change), each followed
# by the check that DIR holds one complete run, the old or the new.
KILL_N ?= 200
test-kill-outdir: $(BUILD)/callsurvey
	$(Q)d=$$(mktemp -d) && top=$$(pwd) && cd "$$d" && \
	  delays=$$(awk -v n=$(KILL_N) 'BEGIN { for (i = 0; i < n; i++) printf "%.3f ", (i % 50) * 0.008 }') && \
	  KILL_DELAYS="$$delays" CS="$$top/$(BUILD)/callsurvey" SAMPLE="$$top/sample-data" \
	    sh -e "$$top/tests/cli/121-output-kill-loop/cmd" >out.txt 2>/dev/null; \
	  st=$$?; cat out.txt; grep -q ' 0 times DIR held no complete run' out.txt || st=1; \
	  cd "$$top"; rm -rf "$$d"; [ $$st = 0 ]

TEST_EXTRA += test-fault-sites

# A report killed at every step of its output directory's commit (the
# "die" sites of core/outdir.c in the TEST_FAULTS build): each kill leaves
# the old run, the new one, or a journal the next run finishes first.
.PHONY: test-die
test-die: $(FAULTS_BUILD)/callsurvey
	$(Q)CALLSURVEY=$(FAULTS_BUILD)/callsurvey sh tests/faults/die.sh

TEST_EXTRA += test-die

# The longer variant of CLI case 112 (issue 15, item 5): three ingests and
# two reports at once on one --db, 150 rounds, on the release build.
.PHONY: test-faults-db
test-faults-db: $(BUILD)/callsurvey
	$(Q)d=$$(mktemp -d) && cp tests/cli/112-db-concurrent/snap.yaml $$d/ && \
	  (cd $$d && CS=$(CURDIR)/$(BUILD)/callsurvey sh $(CURDIR)/tests/tools/db-concurrent.sh 150) \
	  >$$d/out.txt 2>&1; rc=$$?; cat $$d/out.txt | tail -3; \
	  if [ $$rc = 0 ] && grep -q ', 0 failures$$' $$d/out.txt && ! grep -q summary $$d/out.txt; \
	  then rm -rf $$d; echo "test-faults-db: passed"; else echo "test-faults-db: FAILED (kept in $$d)"; exit 1; fi

# The whole CLI suite CLI_REPEAT times in a row (issue 16: a crash at exit
# showed once in a full run and never alone); any failing case, an abnormal
# exit included, stops it.
CLI_REPEAT ?= 20
test-cli-repeat: $(BUILD)/callsurvey $(TOOL_BINS)
	$(Q)i=1; while [ $$i -le $(CLI_REPEAT) ]; do \
	  CALLSURVEY=$(BUILD)/callsurvey TOOLS=$(BUILD)/tools sh tests/cli/run.sh > $(BUILD)/cli-repeat.log 2>&1 || \
	    { grep -E '^FAIL|stderr:' $(BUILD)/cli-repeat.log; echo "test-cli-repeat: run $$i of $(CLI_REPEAT) failed"; exit 1; }; \
	  i=$$((i + 1)); done; \
	  echo "test-cli-repeat: $(CLI_REPEAT) runs of the CLI suite, $$(tail -1 $(BUILD)/cli-repeat.log | cut -d' ' -f2) cases each, all passed"

# The long tier (not in make test): every fault site, the long kill loop
# and concurrency runs, then the CLI suite again and again.
test-faults: test-fault-sites test-die test-kill-outdir test-faults-db test-cli-repeat
