# jvmtap: BPF objects -> skeletons -> one binary; tests; bench.
# `make V=1` prints every command.

OUT      := build
BIN      := jvmtap
CC       ?= cc
CLANG    ?= clang
STRIP    ?= llvm-strip
BPFTOOL  ?= bpftool
PYTHON   ?= /usr/bin/python3
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)

HOST_ARCH := $(shell uname -m)
ARCH := $(subst x86_64,x86,$(subst aarch64,arm64,$(HOST_ARCH)))
VMLINUX := vmlinux/$(ARCH)/vmlinux.h
MULTIARCH_INC := /usr/include/$(HOST_ARCH)-linux-gnu

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS   ?= -O2 -g
# user/ is layered (docs/architecture.md#source-tree): every folder below it is on the include
# path except for user/parse/, whose files are pure and may include only each other.
USER_SRCS := $(sort $(shell find user -name '*.c'))
USER_DIRS := $(sort $(patsubst %/,%,$(dir $(USER_SRCS))))
USER_OBJS := $(patsubst %.c,$(OUT)/obj/%.o,$(USER_SRCS))
INCLUDES  := -Iinclude $(addprefix -I,$(USER_DIRS)) -I$(OUT)
CFLAGS   += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
LDLIBS   := $(shell pkg-config --libs libbpf libmicrohttpd json-c ncursesw yaml-0.1 libcrypt gnutls libcap-ng 2>/dev/null || \
		echo -lbpf -lelf -lz -lmicrohttpd -ljson-c -lncursesw -ltinfo -lyaml -lcrypt -lgnutls -lcap-ng) -lelf -lz -lpthread -lm
BPF_CFLAGS := -target bpf -g -O2 -Wall -D__TARGET_ARCH_$(ARCH) -Iinclude -Ivmlinux/$(ARCH) \
	      -I$(MULTIARCH_INC)

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))

# Unit tests mirror the tree: tests/unit/DIR/test_X.c links user/DIR/X.c if there is one (a
# test split by meaning, test_X_Y.c, names its sources), plus the sources on its UNIT-SOURCES line.
UNIT_SRCS := $(sort $(shell find tests/unit -name 'test_*.c'))
UNIT_BINS := $(patsubst %.c,$(OUT)/tests/%,$(notdir $(UNIT_SRCS)))
unit_src   = $(wildcard $(patsubst tests/unit/%,user/%,$(dir $(1)))$(patsubst test_%,%,$(notdir $(1))))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60

# `make sanitize`: the same sources built again with ASan + UBSan into build/asan/ (its own objects,
# binary and unit tests, never mixed with the normal build), then the unit tests and a fast subset
# of the integration tests run on them. Any report fails: -fno-sanitize-recover=all and
# halt_on_error make UBSan abort, and a leak of our own code fails the collector's exit.
# clang, not gcc: gcc's -fsanitize=pointer-overflow does not report NULL + 0 (an empty array's
# end), clang's does ("applying zero offset to null pointer").
SAN_CC     ?= clang
SAN_OUT    := $(OUT)/asan
SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS := $(CFLAGS) $(SAN_FLAGS)
SAN_OBJS   := $(patsubst %.c,$(SAN_OUT)/obj/%.o,$(USER_SRCS))
SAN_BIN    := $(SAN_OUT)/$(BIN)
SAN_UNIT_BINS := $(patsubst %.c,$(SAN_OUT)/tests/%,$(notdir $(UNIT_SRCS)))
# Beyond the defaults: use of a stack variable after its function returned, and a string argument
# to an intercepted libc call (strtol, strchr...) that is not NUL-terminated. No LSan
# suppressions: no leak of libbpf, libmicrohttpd or glibc showed over the whole integration suite.
SAN_ENV    := ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1 \
	      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# About a minute on 2 cores: renders without JVMs and the HTTP server (test_http), the startup
# errors and their exits (test_cli), identity from runtime state files (test_identity), a JVM
# started after the collector (uprobe attach) and JVMs exiting by code and by signal (test_jvm),
# a render with a JVM's hsperfdata (test_hsperf, G1), the byte counters in both attach modes
# (test_net), `jvmtap dump` of a JVM in a pod (test_top; the dump-against-/metrics test is left out:
# its 5% tolerances do not hold for a sanitized collector on busy cores), a TLS config re-read on
# SIGHUP (test_websec), container memory, throttling and OOM kills at real limits and the JVMs'
# RSS and fds (test_cgroup, test_jvm_rss: 25 s).
SAN_TESTS  := $(addprefix tests/integration/,test_http.py test_cli.py test_identity.py \
	      test_jvm.py::test_threads_jvm_started_after_jvmtap \
	      test_jvm.py::test_exits_by_code_and_signal_and_start_time \
	      test_hsperf.py::test_pools_match_jstat_and_gc_totals_match_mxbeans[-XX:+UseG1GC] \
	      test_net.py::test_bytes_match_what_programs_sent \
	      test_top.py::test_dump_prom_is_valid_exposition \
	      test_websec.py::test_sighup_reloads_and_keeps_a_good_config \
	      test_flink_rest.py test_cgroup.py test_jvm_rss.py)

.SECONDARY: $(BPF_OBJS) $(SKELS)
.PHONY: all deps run test unit layers sanitize integration integration-jdk25 flink-test runtime-test fuzz bench format clean install vmlinux deploy-test soak
all: $(BIN)

deps:
	$(Q)scripts/install-deps.sh

ifeq ($(VMLINUX_FROM_HOST),1)
.PHONY: $(VMLINUX)
$(VMLINUX):
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@
endif
vmlinux: $(VMLINUX)

$(OUT) $(OUT)/tests $(OUT)/fuzz $(SAN_OUT)/tests:
	$(Q)mkdir -p $@

# DWARF is stripped (BTF stays) so the embedded objects stay small.
$(OUT)/%.bpf.o: bpf/%.bpf.c $(VMLINUX) $(wildcard include/jvmtap/*.h) $(wildcard bpf/*.h) | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(STRIP) -g $@.tmp -o $@ && rm -f $@.tmp

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

# The version string lives in one generated header, rewritten only when it changes.
$(OUT)/version.h: FORCE | $(OUT)
	$(Q)echo '#define JVMTAP_VERSION "$(VERSION)"' > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
.PHONY: FORCE

# Dependencies come from the compiler (-MMD -MP); the generated headers are built first.
$(OUT)/obj/%.o: %.c | $(SKELS) $(OUT)/version.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -MMD -MP -c $< -o $@
$(OUT)/obj/user/parse/%.o: INCLUDES := -Iuser/parse
-include $(USER_OBJS:.o=.d)

$(SAN_OUT)/obj/%.o: %.c | $(SKELS) $(OUT)/version.h
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(SAN_CC) $(SAN_CFLAGS) $(INCLUDES) -MMD -MP -c $< -o $@
$(SAN_OUT)/obj/user/parse/%.o: INCLUDES := -Iuser/parse
-include $(SAN_OBJS:.o=.d)

$(BIN): $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(SAN_BIN): $(SAN_OBJS)
	$(call msg,LINK-SAN,$@)
	$(Q)$(SAN_CC) $(SAN_CFLAGS) $^ -o $@ $(LDLIBS)

# A test names other sources it needs on a "// UNIT-SOURCES:" line. Built twice: into build/tests
# with CC and CFLAGS, into build/asan/tests with SAN_CC and SAN_CFLAGS.
USER_HDRS := $(shell find user -name '*.h')
UNIT_HDRS := $(shell find tests/unit -name '*.h')
define unit_rule
$(2)/$(basename $(notdir $(1))): $(1) $(call unit_src,$(1)) $(USER_SRCS) $(USER_HDRS) $(UNIT_HDRS) | $(2)
	$$(call msg,CC,$$@)
	$$(Q)$$($(4)) $$($(3)) $$(INCLUDES) -Itests/unit $(1) $(call unit_src,$(1)) $$(shell sed -n 's|^// UNIT-SOURCES: *||p' $(1)) -o $$@ \
		-lcmocka $$(LDLIBS)
endef
$(foreach t,$(UNIT_SRCS),$(eval $(call unit_rule,$(t),$(OUT)/tests,CFLAGS,CC)))
$(foreach t,$(UNIT_SRCS),$(eval $(call unit_rule,$(t),$(SAN_OUT)/tests,SAN_CFLAGS,SAN_CC)))

$(OUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(USER_SRCS) | $(OUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude $(addprefix -I,$(USER_DIRS)) \
		$< $(shell sed -n 's|^// FUZZ-SOURCES: *||p' $<) -o $@ -ljson-c -lz -lm \
		$(shell sed -n 's|^// FUZZ-LIBS: *||p' $<)

unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

# The layers of user/: no cycle between object files, no dependency up the layers (nm).
layers: $(BIN)
	$(Q)$(PYTHON) tests/layers/check.py

# JVMTAP_BIN points the integration fixtures at the sanitized binary; they fail a test whose
# collector printed a sanitizer report (tests/integration/conftest.py).
sanitize: $(SAN_BIN) $(SAN_UNIT_BINS)
	$(Q)fail=0; for t in $(SAN_UNIT_BINS); do $(SAN_ENV) $$t || fail=1; done; exit $$fail
	$(Q)$(SAN_ENV) JVMTAP_BIN=$(CURDIR)/$(SAN_BIN) $(PYTHON) -m pytest -q -p no:cacheprovider $(foreach t,$(SAN_TESTS),'$(t)') $(PYTEST_ARGS)

# Seeds in tests/fuzz/corpus/NAME are copied to build/ (libFuzzer adds to its corpus); the
# executions of each run go to build/fuzz/summary.txt (docs/reliability.md). The targets run
# FUZZ_JOBS at a time (one core each; default: every core).
FUZZ_JOBS ?= $(shell nproc)
fuzz: $(FUZZ_BINS)
	$(Q): > $(OUT)/fuzz/summary.txt
	$(Q)$(MAKE) --no-print-directory -j$(FUZZ_JOBS) $(patsubst $(OUT)/fuzz/%,fuzzrun-%,$(FUZZ_BINS))
	$(Q)sort -o $(OUT)/fuzz/summary.txt $(OUT)/fuzz/summary.txt; cat $(OUT)/fuzz/summary.txt

fuzzrun-%: $(OUT)/fuzz/%
	$(Q)n=$*; c=$(OUT)/fuzz/corpus/$${n#fuzz_}; mkdir -p $$c; \
	[ -d tests/fuzz/corpus/$${n#fuzz_} ] && cp tests/fuzz/corpus/$${n#fuzz_}/* $$c/; \
	echo "  FUZZRUN  $< ($(FUZZ_SECONDS)s)"; \
	$< -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(OUT)/fuzz/ $$c 2>$(OUT)/fuzz/$$n.log \
		|| { tail -40 $(OUT)/fuzz/$$n.log; exit 1; }; \
	echo "$$n $(FUZZ_SECONDS)s $$(sed -n 's/^stat::number_of_executed_units: *//p' $(OUT)/fuzz/$$n.log) execs, corpus $$(ls $$c | wc -l)" \
		>> $(OUT)/fuzz/summary.txt

integration: $(BIN)
	$(Q)$(PYTHON) -m pytest -q -p no:cacheprovider tests/integration $(PYTEST_ARGS)

# The JVM tests again on Temurin 25 (its java and javac first on PATH).
JDK25 ?= /usr/lib/jvm/temurin-25-jdk-amd64
JDK25_TESTS := test_jvm.py test_hsperf.py test_top.py test_top_tasks.py
integration-jdk25: $(BIN)
	$(Q)PATH=$(JDK25)/bin:$$PATH $(PYTHON) -m pytest -q -p no:cacheprovider \
		$(addprefix tests/integration/,$(JDK25_TESTS)) $(PYTEST_ARGS)

# A real Flink cluster per pinned version (tests/flink/versions.txt), fetched once from PyPI into
# $(JVMTAP_CACHE)/flink, against Flink's own PrometheusReporter.
JVMTAP_CACHE ?= /var/cache/jvmtap
flink-test: $(BIN)
	$(Q)JVMTAP_CACHE=$(JVMTAP_CACHE) $(PYTHON) -m pytest -q -p no:cacheprovider tests/flink $(PYTEST_ARGS); \
		rc=$$?; cat $(OUT)/flink/truth-*.txt 2>/dev/null; exit $$rc

# The churn soak for minutes instead of one round (docs/reliability.md).
soak: $(BIN)
	$(Q)JVMTAP_SOAK_ROUNDS=$${JVMTAP_SOAK_ROUNDS:-12} $(PYTHON) -m pytest -q -p no:cacheprovider \
		tests/integration/test_reliability.py -k soak $(PYTEST_ARGS)

# deploy/: manifests, Prometheus rules, dashboard, systemd unit (tests/deploy/run.sh).
# Real container runtimes (containerd through CRI, Docker, Podman), installed and started by the
# tests, each running a JVM (tests/runtimes/runtimes.py); their state is removed afterwards.
runtime-test: $(BIN)
	$(Q)JVMTAP_CACHE=$(JVMTAP_CACHE) scripts/install-runtimes.sh
	$(Q)JVMTAP_CACHE=$(JVMTAP_CACHE) $(PYTHON) -m pytest -q -p no:cacheprovider tests/runtimes $(PYTEST_ARGS)

deploy-test: $(BIN)
	$(Q)tests/deploy/run.sh $(PYTEST_ARGS)

test: deps
	$(Q)$(MAKE) --no-print-directory $(BIN) $(UNIT_BINS) $(FUZZ_BINS)
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory layers
	$(Q)$(MAKE) --no-print-directory sanitize
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10
	$(Q)$(MAKE) --no-print-directory integration
	$(Q)$(MAKE) --no-print-directory integration-jdk25
	$(Q)$(MAKE) --no-print-directory flink-test
	$(Q)$(MAKE) --no-print-directory runtime-test
	$(Q)$(MAKE) --no-print-directory deploy-test

run: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	./$(BIN) $(ARGS)

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)command -v bpftrace >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q bpftrace
	$(Q)bench/run.sh

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)/usr/local/sbin/$(BIN)
	install -D -m 0644 deploy/systemd/jvmtap.service $(DESTDIR)/etc/systemd/system/jvmtap.service

format:
	clang-format -i bpf/*.c $(USER_SRCS) $(shell find user -name '*.h') include/jvmtap/*.h $(UNIT_SRCS) $(UNIT_HDRS) tests/fuzz/*.c

clean:
	rm -rf $(OUT) $(BIN)
