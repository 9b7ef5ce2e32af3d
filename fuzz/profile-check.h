/*
 * The properties the profile fuzzer checks on every input, shared with the
 * regression test that replays the inputs it found (tests/unit/
 * test-fuzz-regressions.c), so a reproducer fails there exactly as it
 * failed under libFuzzer.
 *
 * An input is one byte of mode, then the profile text:
 *   mode & 0x04   an OCI bundle's config.json (the YAML bit then says nothing)
 *   mode & 0x10   YAML (profile.yaml); clear: libconfig (profile.conf)
 *   mode & 0x20   --check --fragment (no required keys); clear: a whole profile
 * so `Y` is a whole YAML profile, `y` a YAML fragment, `C` and `c` libconfig,
 * `O` a config.json.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define PROFILE_CHECK_YAML 0x10
#define PROFILE_CHECK_FRAGMENT 0x20
#define PROFILE_CHECK_JSON 0x04

/*
 * Once per process: a private directory for the files an input becomes,
 * and an environment reduced to a fixed set, so that ${NAME}, the profile
 * path and therefore every verdict depend on the input alone. Returns -1
 * with errno set when the directory cannot be made.
 */
int profile_check_init(void);
/* Removes the directory. */
void profile_check_cleanup(void);

/*
 * Load the input as congo-launch --check does (include, ${NAME}, validate,
 * merge, finalize), and the same text through the loader and the schema
 * directly; when it loads, print it in both formats, with and without
 * origins, and as a `run` command line, and load every print back. A
 * config.json has no direct route: each of its errors must be located (a
 * line, or a JSON pointer), and one that loads must also make a run plan.
 *
 * Returns NULL when every property held, else what broke with the texts
 * involved (caller frees). Memory errors are for the sanitizers to catch.
 */
char *profile_check(const uint8_t *data, size_t size);
