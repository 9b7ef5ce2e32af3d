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
    if (str_has_suffix(base, ".json"))
        return FORMAT_JSON;
    return FORMAT_UNKNOWN;
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
    /* A source already known for JSON (exec's process file, whatever its name) is JSON. */
    enum profile_format fmt = src->json ? FORMAT_JSON : format_from_path(path);
    if (fmt == FORMAT_UNKNOWN) {
        diags_add(d, DIAG_ERROR, src->name, 0, 0, NULL,
                  "unknown profile format; use .yaml, .yml, .conf or .cfg (or .json for an "
                  "OCI config.json)");
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
    size_t bad = utf8_check(buf, len);
    if (bad < len) {
        int line, col;
        offset_position(buf, bad, &line, &col);
        diags_add(d, DIAG_ERROR, src->name, line, col, NULL, "invalid UTF-8 in profile");
        return NULL;
    }
    if (fmt == FORMAT_YAML)
        return load_yaml(buf, len, src, d);
    if (fmt == FORMAT_JSON)
        return load_json(buf, len, src, d);
    return load_conf(buf, len, src, d);
}
