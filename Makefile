# spamtop - build, test, benchmark. See README.md.
#
#   make            build ./spamtop (profile-guided: an instrumented build and a training
#                   run first; PGO=0 for a plain build)
#   make demo       install missing build dependencies, build, open the console on
#                   the bundled outbreak capture
#   make check      all tests: unit tests (also under ASan+UBSan), command-line tests,
#                   console tests in tmux, the real-Postfix lab tests (root only)
#   make fuzz       libFuzzer on every parser of hostile text (FUZZ_SECONDS, default 60;
#                   FUZZ_TARGET=lines: the log-line parser and model only)
#   make soak       30 million lines through follow mode: memory every million
#   make bench      parse speed and memory against grep|sed|sort|uniq -c
#   make bench-lab  (root) a real 20 000-message queue in the lab: spamtop timed on it
#   make deb        the Debian package (debhelper), into build/deb/; deb-check installs,
#                   uses and purges it (root)
#   make screenshots  PNG pictures of the console on the lab's outbreak (root)
#   make fixtures   re-record tests/fixtures/lab-outbreak.log from the real Postfix lab

CC      ?= cc
PKGS    := jansson zlib libpcre2-8 ncursesw
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(or $(shell pkg-config --libs $(PKGS) 2>/dev/null),-ljansson -lz -lpcre2-8 -lncursesw -ltinfo)
CFLAGS  ?= -O3 -g -fno-plt
WARN    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
ALL_CFLAGS = $(WARN) $(CFLAGS) $(PKG_CFLAGS) -pthread -I. -DSPAMTOP_KEYMAP_DIR='"$(PREFIX)/share/spamtop/keymaps"'
LIBS    := $(PKG_LIBS) -pthread
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Profile-guided build (PGO=1, the default): the objects are compiled with the
# profile of a training run (tools/pgo-train.sh: a generated log of another
# seed than the bench's, and the lab's captures) of an instrumented build in
# $(BUILD)/pgo; on the bench log it runs 12 % fewer instructions. PGO=0 builds
# without it (quicker while editing: one build, not two).
PGO      ?= 1
PGO_GEN  := -fprofile-generate -fprofile-update=atomic
# with an absolute BUILD the instrumented objects could not be named as the optimized ones
ifneq ($(filter /%,$(BUILD)),)
override PGO := 0
endif
ifeq ($(PGO),1)
PGO_USE  := -fprofile-use -fprofile-partial-training -Wno-missing-profile
PGO_DEP   = $(PGOBUILD)/trained
endif

CORE_SRC := $(wildcard core/*/*.c)
TUI_SRC  := $(wildcard tui/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)

HEADERS  := $(wildcard core/*/*.h core/*/*.def tui/*.h tui/*.def cli/*.h)

BUILD    := build
SANBUILD := build/san
PGOBUILD := $(BUILD)/pgo

CORE_OBJ     := $(CORE_SRC:%.c=$(BUILD)/%.o)
CORE_SAN_OBJ := $(CORE_SRC:%.c=$(SANBUILD)/%.o)
UNIT_BIN     := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_SAN_BIN := $(UNIT_SRC:tests/unit/%.c=$(SANBUILD)/tests/%)

.PHONY: all deps demo check unit unit-san lab e2e bench bench-lab deb deb-check fixtures install clean screenshots fuzz fuzz-replay soak mutate

all: spamtop

DEPS ?= build
deps:
	@tools/deps.sh $(DEPS)

$(BUILD)/%.o: %.c $(HEADERS) $(PGO_DEP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PGO_USE) -c -o $@ $<

# PGO's instrumented objects: compiled in $(PGOBUILD), which sees the sources
# through links, under the names the optimized ones have (x.c into
# $(BUILD)/x.o): gcc names a file's static functions in its profile by them
$(PGOBUILD)/$(BUILD)/%.o: %.c $(HEADERS) | $(PGOBUILD)/tree
	@mkdir -p $(dir $@)
	cd $(PGOBUILD) && $(CC) $(ALL_CFLAGS) $(PGO_GEN) -c -o $(BUILD)/$*.o $*.c

$(PGOBUILD)/tree:
	@mkdir -p $(PGOBUILD)
	@for d in core tui cli; do ln -sfn $(CURDIR)/$$d $(PGOBUILD)/$$d; done
	@touch $@

$(SANBUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

$(BUILD)/libspamtop.a: $(CORE_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/libtui.a: $(TUI_SRC:%.c=$(BUILD)/%.o)
	$(AR) rcs $@ $^

$(SANBUILD)/libtui.a: $(TUI_SRC:%.c=$(SANBUILD)/%.o)
	$(AR) rcs $@ $^

$(SANBUILD)/libspamtop.a: $(CORE_SAN_OBJ)
	$(AR) rcs $@ $^

CLI_SRC  := $(wildcard cli/*.c)

spamtop: $(CLI_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libtui.a $(BUILD)/libspamtop.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(SANBUILD)/spamtop: $(CLI_SRC:%.c=$(SANBUILD)/%.o) $(SANBUILD)/libtui.a $(SANBUILD)/libspamtop.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS)

# the instrumented build of PGO, and its training run
PGO_OBJ := $(patsubst %.c,$(PGOBUILD)/$(BUILD)/%.o,$(CLI_SRC) $(TUI_SRC) $(CORE_SRC))
$(PGOBUILD)/spamtop: $(PGO_OBJ)
	$(CC) $(CFLAGS) $(PGO_GEN) $(LDFLAGS) -o $@ $^ $(LIBS)

$(PGOBUILD)/trained: $(PGOBUILD)/spamtop $(BUILD)/genlog tools/pgo-train.sh $(wildcard tests/fixtures/*.log)
	@tools/pgo-train.sh $(PGOBUILD) $(BUILD) $(BUILD)/genlog

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h tests/unit/metrics_check.h tests/hostile/hostile.h $(BUILD)/libtui.a $(BUILD)/libspamtop.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libtui.a $(BUILD)/libspamtop.a -lcmocka $(LIBS)

$(SANBUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h tests/unit/metrics_check.h tests/hostile/hostile.h $(SANBUILD)/libtui.a $(SANBUILD)/libspamtop.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $< $(SANBUILD)/libtui.a $(SANBUILD)/libspamtop.a -lcmocka $(LIBS)

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

unit-san: $(UNIT_SAN_BIN) $(SANBUILD)/spamtop
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		tests/run-unit.sh $(UNIT_SAN_BIN)

# the fuzz targets: libFuzzer with clang for `make fuzz`, a plain main() for the replay
FUZZ_SRC := tests/fuzz/targets.c $(CORE_SRC) tui/keymap.c
$(BUILD)/fuzz/fuzz: $(FUZZ_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	clang $(WARN) -g -O1 $(PKG_CFLAGS) -pthread -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -o $@ $(FUZZ_SRC) $(LIBS)
$(BUILD)/fuzz/fuzz-lines: $(FUZZ_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	clang $(WARN) -g -O1 $(PKG_CFLAGS) -pthread -I. -DFUZZ_LINES_ONLY -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -o $@ $(FUZZ_SRC) $(LIBS)

$(SANBUILD)/fuzz-replay: tests/fuzz/replay.c tests/fuzz/targets.c $(SANBUILD)/libtui.a $(SANBUILD)/libspamtop.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ tests/fuzz/replay.c tests/fuzz/targets.c $(SANBUILD)/libtui.a $(SANBUILD)/libspamtop.a $(LIBS)

$(BUILD)/hostile-log: tests/hostile/hostile-log.c tests/hostile/hostile.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(BUILD)/soak: tests/soak/soak.c $(BUILD)/libspamtop.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libspamtop.a $(LIBS)

soak: $(BUILD)/genlog $(BUILD)/soak
	@tools/soak.sh

fuzz: DEPS = build
fuzz: deps
	@tools/fuzz.sh

fuzz-replay: $(SANBUILD)/fuzz-replay
	@tools/fuzz-seeds.sh $(BUILD)/fuzz/seeds
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(SANBUILD)/fuzz-replay $(BUILD)/fuzz/seeds/* $(wildcard tests/fuzz/regressions/*)

e2e: $(SANBUILD)/spamtop $(BUILD)/hostile-log $(BUILD)/genlog
	@tests/e2e/run.sh $(SANBUILD)/spamtop

lab: spamtop $(SANBUILD)/spamtop
	@tests/lab/run.sh

check: DEPS = check
check: deps
	@$(MAKE) --no-print-directory spamtop $(UNIT_BIN) $(UNIT_SAN_BIN) $(SANBUILD)/spamtop $(BUILD)/hostile-log $(BUILD)/genlog
	@$(MAKE) --no-print-directory unit unit-san fuzz-replay
	@tests/cli/run.sh ./spamtop $(SANBUILD)/spamtop
	@tests/e2e/run.sh $(SANBUILD)/spamtop
	@$(MAKE) --no-print-directory lab
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory deb-check; else echo "deb: skipped (needs root)"; fi

demo: deps
	@$(MAKE) --no-print-directory spamtop
	@tools/demo.sh

mutate: spamtop $(SANBUILD)/spamtop $(UNIT_BIN)
	@tools/mutate.sh

# deb: the Debian package, built with debhelper in a copy of the tree, into build/deb/
deb: DEPS = deb
deb: deps
	@tools/deb.sh

# deb-check (root): the package installed with apt, used, purged (tests/deb/run.sh)
deb-check: deb
	@tests/deb/run.sh

bench: spamtop $(BUILD)/genlog
	@tools/bench.sh

bench-lab: spamtop
	@tools/bench-lab-queue.sh

$(BUILD)/genlog: tools/genlog.c
	@mkdir -p $(BUILD)
	$(CC) $(WARN) -O2 -o $@ $<

screenshots: spamtop
	@tools/screenshots.sh

fixtures: spamtop
	@tests/lab/record-fixture.sh

PREFIX ?= /usr/local
install: spamtop
	install -D -m 755 spamtop $(DESTDIR)$(PREFIX)/bin/spamtop
	install -D -m 644 doc/spamtop.1 $(DESTDIR)$(PREFIX)/share/man/man1/spamtop.1
	install -d $(DESTDIR)$(PREFIX)/share/spamtop/keymaps
	install -m 644 keymaps/*.keys $(DESTDIR)$(PREFIX)/share/spamtop/keymaps/

clean:
	rm -rf $(BUILD) spamtop
