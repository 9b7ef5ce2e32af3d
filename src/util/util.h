/* Small helpers shared by every module: allocation, strings, buffers. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cleanup.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation failure is not recoverable in a launcher: abort loudly. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

bool str_eq(const char *a, const char *b); /* NULL-safe */
bool str_has_suffix(const char *s, const char *suffix);

/* A growable string. */
struct strbuf {
    char *buf;
    size_t len, cap;
};
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *strbuf_steal(struct strbuf *sb); /* never NULL */
void strbuf_free(struct strbuf *sb);

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_push(char ***v, char *s); /* takes s */
char **strv_copy(char *const *v);
bool strv_eq(char *const *a, char *const *b);
void strv_free(char **v);
static inline void cleanup_strvp(char ***v) { strv_free(*v); }
#define _cleanup_strv_ _cleanup_(cleanup_strvp)

/* Edit distance, for "did you mean" hints. */
size_t str_distance(const char *a, const char *b);

/* A field of /proc/PID/mountinfo with its \ooo escapes (space, tab, newline, backslash) undone. */
char *mountinfo_unescape(const char *s);

/* Read a whole regular file (at most max bytes) into a NUL-terminated buffer. */
int read_file_max(const char *path, size_t max, char **out, size_t *len);

/*
 * Field `field` (numbered as in proc(5): 3 is the state, 22 the start time,
 * 39 the CPU) of PROC/PID/stat, and the state in *state when not NULL.
 * 0, or a negative errno: -ENOENT when the process is gone.
 */
int proc_stat_field(const char *proc, pid_t pid, int field, unsigned long long *out, char *state);

/*
 * A pidfd on pid, when pid is still the process that started at start
 * (field 22 of its stat): the pidfd pins it, so a check made after opening
 * holds for as long as the fd is open. -1 when it is gone or another.
 */
int pidfd_of(pid_t pid, unsigned long long start);

/*
 * Close every fd from 3 up but those of keep (n of them; -1 entries are
 * none, and keep is sorted in place). 0, or -1 with errno set.
 */
int close_all_but(int *keep, size_t n);
/* The len bytes at s as a decimal number of 32 bits (digits only): true, with *out. */
bool parse_u32(const char *s, size_t len, uint32_t *out);
/*
 * The same, keeping fds 3 to 2 + n_passed too (an engine's --preserve-fds),
 * with their close-on-exec flag cleared, so that the command gets them.
 */
int close_all_but_passed(const int *keep, size_t n, int n_passed);

/*
 * A host program by name: the first executable NAME in the colon-separated
 * dirs (where Debian puts it), then in PATH. Caller frees; NULL when there
 * is none.
 */
char *program_find(const char *name, const char *dirs);

/* dir opened and flock'ed exclusively, for its entries' leases; -1 with errno set. */
int dir_lock(const char *dir);

/* The byte offset of the first invalid UTF-8 sequence in s, or len when there is none. */
size_t utf8_check(const char *s, size_t len);
