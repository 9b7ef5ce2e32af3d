#include "load.h"

#include <errno.h>
#include <string.h>

#include "util/util.h"

enum profile_format format_from_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (str_has_suffix(base, ".yaml") || str_has_suffix(base, ".yml"))
        return FORMAT_YAML;
    if (str_has_suffix(base, ".conf") || str_has_suffix(base, ".cfg"))
        return FORMAT_CONF;
    return FORMAT_UNKNOWN;
}

/* Returns the byte offset of the first invalid UTF-8 sequence, or len. */
static size_t utf8_check(const unsigned char *s, size_t len)
{
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

static void offset_position(const char *buf, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

struct node *load_file(const char *path, const struct source *src, struct diags *d)
{
    enum profile_format fmt = format_from_path(path);
    if (fmt == FORMAT_UNKNOWN) {
        diags_add(d, DIAG_ERROR, src->name, 0, 0, NULL,
                  "unknown profile format; use .yaml, .yml, .conf or .cfg");
        return NULL;
    }
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    int r = read_file_max(path, LOAD_MAX_FILE_SIZE, &buf, &len);
    if (r == -EISDIR) {
        diags_add(d, DIAG_ERROR, src->name, 0, 0, NULL, "is a directory, not a profile file");
        return NULL;
    } else if (r == -EFBIG) {
        diags_add(d, DIAG_ERROR, src->name, 0, 0, NULL,
                  "profile is larger than %d KiB; is this the right file?",
                  LOAD_MAX_FILE_SIZE / 1024);
        return NULL;
    } else if (r == -EINVAL) {
        diags_add(d, DIAG_ERROR, src->name, 0, 0, NULL, "not a regular file");
        return NULL;
    } else if (r < 0) {
        diags_add(d, DIAG_ERROR, src->name, 0, 0, NULL, "cannot read: %s", strerror(-r));
        return NULL;
    }
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        int line, col;
        offset_position(buf, (size_t)(nul - buf), &line, &col);
        diags_add(d, DIAG_ERROR, src->name, line, col, NULL,
                  "NUL byte in profile; is this a text file?");
        return NULL;
    }
    size_t bad = utf8_check((const unsigned char *)buf, len);
    if (bad < len) {
        int line, col;
        offset_position(buf, bad, &line, &col);
        diags_add(d, DIAG_ERROR, src->name, line, col, NULL, "invalid UTF-8 in profile");
        return NULL;
    }
    if (fmt == FORMAT_YAML)
        return load_yaml(buf, len, src, d);
    return load_conf(buf, len, src, d);
}
