# `make fuzz`: the libFuzzer targets over the profile front-ends and the
# seccomp file reader, fuzz/fuzz-profile and fuzz/fuzz-seccomp in the build
# directory. Included from Makefile.am.
#
# libFuzzer is clang's, so the target is built with clang whichever compiler
# configure chose: CLANG names it (default clang-14, else clang). The
# library's sources are compiled again into the one binary rather than
# linked from libcongo.a, which may be gcc's and is not instrumented.
# FUZZ_SANITIZE and FUZZ_OPT may be overridden on the make command line.
CLANG =
FUZZ_SANITIZE = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_OPT = -g -O1 -fno-omit-frame-pointer
FUZZ_SRCS = $(libcongo_a_SOURCES) fuzz/profile-check.h fuzz/profile-check.c \
	fuzz/fuzz-profile.c
FUZZ_SECCOMP_SRCS = $(libcongo_a_SOURCES) fuzz/fuzz-seccomp.c

fuzz: fuzz/fuzz-profile fuzz/fuzz-seccomp
.PHONY: fuzz

fuzz/fuzz-seccomp: $(FUZZ_SECCOMP_SRCS) config.h
fuzz/fuzz-profile: $(FUZZ_SRCS) config.h
fuzz/fuzz-profile fuzz/fuzz-seccomp:
	$(AM_V_GEN)cc='$(CLANG)'; \
	if test -z "$$cc"; then \
	  cc=`command -v clang-14 || command -v clang` || { \
	    echo "make fuzz: no clang-14 or clang; install clang or set CLANG=" >&2; exit 1; }; \
	fi; \
	case $@ in *seccomp) list='$(FUZZ_SECCOMP_SRCS)';; *) list='$(FUZZ_SRCS)';; esac; \
	srcs=; \
	for f in $$list; do \
	  case $$f in *.c) srcs="$$srcs $(srcdir)/$$f";; esac; \
	done; \
	$(MKDIR_P) fuzz && \
	$$cc $(FUZZ_OPT) $(FUZZ_SANITIZE) $(AM_CPPFLAGS) $(WARN_CFLAGS) \
	  $(LIBCONFIG_CFLAGS) $(YAML_CFLAGS) $(SECCOMP_CFLAGS) $(CAP_CFLAGS) $(JANSSON_CFLAGS) \
	  -o $@ $$srcs \
	  $(LIBCONFIG_LIBS) $(YAML_LIBS) $(SECCOMP_LIBS) $(CAP_LIBS) $(JANSSON_LIBS) $(LIBS)

CLEANFILES += fuzz/fuzz-profile fuzz/fuzz-seccomp
