#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void oom(void)
{
    fputs("congo-launch: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    char *r = strdup(s);
    if (!r)
        oom();
    return r;
}

char *xstrndup(const char *s, size_t n)
{
    char *r = strndup(s, n);
    if (!r)
        oom();
    return r;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    char *r;
    if (vasprintf(&r, fmt, ap) < 0)
        oom();
    return r;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *r = xvasprintf(fmt, ap);
    va_end(ap);
    return r;
}

bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool str_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

void strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap < sb->len + n + 1)
            cap *= 2;
        sb->buf = xrealloc(sb->buf, cap);
        sb->cap = cap;
    }
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s) { strbuf_add(sb, s, strlen(s)); }

void strbuf_putc(struct strbuf *sb, char c) { strbuf_add(sb, &c, 1); }

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *s = xvasprintf(fmt, ap);
    va_end(ap);
    strbuf_puts(sb, s);
}

char *strbuf_steal(struct strbuf *sb)
{
    char *r = sb->buf ? sb->buf : xstrdup("");
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return r;
}

void strbuf_free(struct strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

size_t strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

void strv_push(char ***v, char *s)
{
    size_t n = strv_len(*v);
    *v = xrealloc(*v, (n + 2) * sizeof(char *));
    (*v)[n] = s;
    (*v)[n + 1] = NULL;
}

char **strv_copy(char *const *v)
{
    if (!v)
        return NULL;
    size_t n = strv_len(v);
    char **r = xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        r[i] = xstrdup(v[i]);
    return r;
}

bool strv_eq(char *const *a, char *const *b)
{
    size_t n = strv_len(a);
    if (n != strv_len(b))
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

size_t str_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return SIZE_MAX;
    size_t row[65];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

int read_file_max(const char *path, size_t max, char **out, size_t *len)
{
    /*
     * O_NONBLOCK: opening a FIFO must not wait for a writer (a profile or an
     * include named at one would hang the launcher); it is refused below as
     * not a regular file, and regular files ignore the flag.
     */
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    if ((uint64_t)st.st_size > max)
        return -EFBIG;
    struct strbuf sb = {0};
    char chunk[8192];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof(chunk));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            strbuf_free(&sb);
            return -e;
        }
        if (r == 0)
            break;
        if (sb.len + (size_t)r > max) {
            strbuf_free(&sb);
            return -EFBIG;
        }
        strbuf_add(&sb, chunk, (size_t)r);
    }
    *len = sb.len;
    *out = strbuf_steal(&sb);
    return 0;
}

int proc_stat_field(const char *proc, pid_t pid, int field, unsigned long long *out, char *state)
{
    _cleanup_free_ char *path = xasprintf("%s/%d/stat", proc, (int)pid);
    _cleanup_free_ char *text = NULL;
    size_t len;
    int r = read_file_max(path, 64 * 1024, &text, &len);
    if (r == -ESRCH) /* it died while we read */
        return -ENOENT;
    if (r < 0)
        return r;
    /* comm (field 2) may hold spaces and ')': the fields resume after the last ')'. */
    char *p = strrchr(text, ')');
    if (!p || field < 3)
        return -EINVAL;
    p++;
    if (state)
        *state = p[strspn(p, " ")];
    /* Field 3 (state) is the first after it. */
    for (int f = 3; f < field; f++) {
        p += strspn(p, " ");
        p += strcspn(p, " ");
        if (!*p)
            return -EINVAL;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (errno || end == p)
        return -EINVAL;
    *out = v;
    return 0;
}

/* Returns the byte offset of the first invalid UTF-8 sequence, or len. */
size_t utf8_check(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        /* Overlong forms, surrogates and values past U+10FFFF. */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return i;
        i += n + 1;
    }
    return len;
}

int pidfd_of(pid_t pid, unsigned long long start)
{
    if (pid <= 0)
        return -1;
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return -1;
    unsigned long long now = 0;
    char st = 0;
    if (proc_stat_field("/proc", pid, 22, &now, &st) < 0 || now != start || st == 'Z' ||
        st == 'X') {
        close(fd);
        return -1;
    }
    return fd;
}

int close_all_but(int *keep, size_t n)
{
    /* Sorted, so the gaps between them are ranges. */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && keep[k] < keep[k - 1]; k--) {
            int t = keep[k];
            keep[k] = keep[k - 1];
            keep[k - 1] = t;
        }
    unsigned from = 3;
    for (size_t i = 0; i < n; i++) {
        if (keep[i] < (int)from)
            continue;
        if ((unsigned)keep[i] > from && syscall(SYS_close_range, from, (unsigned)keep[i] - 1, 0) < 0)
            return -1;
        from = (unsigned)keep[i] + 1;
    }
    return (int)syscall(SYS_close_range, from, ~0U, 0);
}

int close_all_but_passed(const int *keep, size_t n, int n_passed)
{
    _cleanup_free_ int *all = xcalloc(n + (size_t)n_passed + 1, sizeof(int));
    memcpy(all, keep, n * sizeof(int));
    for (int i = 0; i < n_passed; i++) {
        all[n + (size_t)i] = 3 + i;
        if (fcntl(3 + i, F_SETFD, 0) < 0)
            return -1;
    }
    return close_all_but(all, n + (size_t)n_passed);
}

char *program_find(const char *name, const char *dirs)
{
    const char *path = getenv("PATH");
    /* The system's own first: a root launcher does not run what PATH happens to name. */
    _cleanup_free_ char *all = xasprintf("%s:%s", dirs, path ? path : "");
    char *save = NULL;
    for (char *d = strtok_r(all, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *p = xasprintf("%s/%s", d, name);
        if (d[0] == '/' && access(p, X_OK) == 0)
            return p;
        free(p);
    }
    return NULL;
}

int dir_lock(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

bool parse_u32(const char *s, size_t len, uint32_t *out)
{
    if (len == 0 || len > 10)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
char *mountinfo_unescape(const char *s)
{
    struct strbuf sb = {0};
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            strbuf_putc(&sb, (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
            s += 3;
        } else {
            strbuf_putc(&sb, *s);
        }
    }
    return strbuf_steal(&sb);
}
