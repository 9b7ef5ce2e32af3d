/* What the unit tests share: scratch directories, files, and diagnostics. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "profile/diag.h"
#include "profile/profile.h"
#include "profile/stack.h"

/* A fresh directory under $TMPDIR (or /tmp); test_rmrf removes it. */
char *test_tmpdir(void);
void test_rmrf(const char *dir);
/* Write dir/name (parents made) and return the path. */
char *test_write(const char *dir, const char *name, const char *content);
/* The source tree: $CONGO_SRCDIR, else ".". */
const char *test_srcdir(void);

/* The first diagnostic whose message contains text, or NULL. */
const struct diag *test_find_diag(const struct diags *d, const char *text);
/* All diagnostics as the user would read them (for assertions and failures). */
char *test_diags_text(const struct diags *d);

/* Load a profile file the way `congo-launch --check` does. */
int test_load_file(struct profile *p, const char *path, struct diags *d);
/* Load with command-line layers. */
int test_load_opts(struct profile *p, const struct stack_opts *o, struct diags *d);

/* Assert that loading path fails with a message containing text at file:line. */
#define assert_load_error(path, text, line)                                                    \
    test_assert_load_error(path, text, line, __FILE__, __LINE__)
void test_assert_load_error(const char *path, const char *text, int line, const char *file,
                            int at);

/*
 * Run the built congo-launch ($CONGO_LAUNCH, else ./congo-launch) with args
 * (NULL-terminated, without argv[0]) in the current directory. Returns the
 * exit status (128+N for a signal); *out and *err get what it printed.
 */
int test_congo(char **out, char **err, const char *const *args);

/* Profile assertions shared by the schema and stack tests. */
const char *test_env_get(const struct profile *p, const char *name); /* NULL: unset */
void test_assert_env(const struct profile *p, size_t i, const char *name, const char *value);
void test_assert_command(const struct profile *p, bool shell, const char *const *argv, size_t n);
#define env_get test_env_get
#define assert_env test_assert_env
#define ARGV(...) ((const char *const[]){__VA_ARGS__})
#define ASSERT_COMMAND(p, shell, ...)                                                              \
    test_assert_command(p, shell, ARGV(__VA_ARGS__), sizeof(ARGV(__VA_ARGS__)) / sizeof(char *))
