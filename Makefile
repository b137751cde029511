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

# Unit tests mirror the tree: tests/unit/DIR/test_X.c links user/DIR/X.c (plus the sources on
# its UNIT-SOURCES line).
UNIT_SRCS := $(sort $(shell find tests/unit -name 'test_*.c'))
UNIT_BINS := $(patsubst %.c,$(OUT)/tests/%,$(notdir $(UNIT_SRCS)))
unit_src   = $(patsubst tests/unit/%,user/%,$(dir $(1)))$(patsubst test_%,%,$(notdir $(1)))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60

.SECONDARY: $(BPF_OBJS) $(SKELS)
.PHONY: all deps run test unit integration integration-jdk25 flink-test fuzz bench format clean install vmlinux deploy-test soak
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

$(OUT) $(OUT)/tests $(OUT)/fuzz:
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

$(BIN): $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

# A test names other sources it needs on a "// UNIT-SOURCES:" line.
define unit_rule
$(OUT)/tests/$(basename $(notdir $(1))): $(1) $(call unit_src,$(1)) $(USER_SRCS) $(shell find user -name '*.h') | $(OUT)/tests
	$$(call msg,CC,$$@)
	$$(Q)$$(CC) $$(CFLAGS) $$(INCLUDES) $(1) $(call unit_src,$(1)) $$(shell sed -n 's|^// UNIT-SOURCES: *||p' $(1)) -o $$@ \
		-lcmocka $$(LDLIBS)
endef
$(foreach t,$(UNIT_SRCS),$(eval $(call unit_rule,$(t))))

$(OUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(USER_SRCS) | $(OUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude $(addprefix -I,$(USER_DIRS)) \
		$< $(shell sed -n 's|^// FUZZ-SOURCES: *||p' $<) -o $@ -ljson-c -lz -lm \
		$(shell sed -n 's|^// FUZZ-LIBS: *||p' $<)

unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

# Seeds in tests/fuzz/corpus/NAME are copied to build/ (libFuzzer adds to its corpus); the
# executions of each run go to build/fuzz/summary.txt (docs/reliability.md).
fuzz: $(FUZZ_BINS)
	$(Q): > $(OUT)/fuzz/summary.txt; for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); c=$(OUT)/fuzz/corpus/$${n#fuzz_}; mkdir -p $$c; \
		[ -d tests/fuzz/corpus/$${n#fuzz_} ] && cp tests/fuzz/corpus/$${n#fuzz_}/* $$c/; \
		echo "  FUZZRUN  $$f ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(OUT)/fuzz/ $$c 2>$(OUT)/fuzz/$$n.log \
			|| { tail -40 $(OUT)/fuzz/$$n.log; exit 1; }; \
		echo "$$n $(FUZZ_SECONDS)s $$(sed -n 's/^stat::number_of_executed_units: *//p' $(OUT)/fuzz/$$n.log) execs, corpus $$(ls $$c | wc -l)" \
			>> $(OUT)/fuzz/summary.txt; \
	done; cat $(OUT)/fuzz/summary.txt

integration: $(BIN)
	$(Q)$(PYTHON) -m pytest -q -p no:cacheprovider tests/integration $(PYTEST_ARGS)

# The JVM tests again on Temurin 25 (its java and javac first on PATH).
JDK25 ?= /usr/lib/jvm/temurin-25-jdk-amd64
JDK25_TESTS := test_jvm.py test_hsperf.py test_top.py
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
deploy-test: $(BIN)
	$(Q)tests/deploy/run.sh $(PYTEST_ARGS)

test: deps
	$(Q)$(MAKE) --no-print-directory $(BIN) $(UNIT_BINS) $(FUZZ_BINS)
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10
	$(Q)$(MAKE) --no-print-directory integration
	$(Q)$(MAKE) --no-print-directory integration-jdk25
	$(Q)$(MAKE) --no-print-directory flink-test
	$(Q)$(MAKE) --no-print-directory deploy-test

run: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	./$(BIN) $(ARGS)

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)bench/run.sh

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)/usr/local/sbin/$(BIN)
	install -D -m 0644 deploy/systemd/jvmtap.service $(DESTDIR)/etc/systemd/system/jvmtap.service

format:
	clang-format -i bpf/*.c $(USER_SRCS) $(shell find user -name '*.h') include/jvmtap/*.h $(UNIT_SRCS) tests/fuzz/*.c

clean:
	rm -rf $(OUT) $(BIN)
