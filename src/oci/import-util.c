/* config.json's reading and writing helpers; see import-internal.h. */
#include "oci/import-internal.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

/* ---- reading the config ---- */

void im_fail(struct import *im, const struct node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diags_node(im->d, DIAG_ERROR, at, "%s", msg);
}

const char *im_json_type(const struct node *n)
{
    if (n->kind == NODE_MAP)
        return "an object";
    if (n->kind == NODE_SEQ)
        return "an array";
    if (n->flags & NODE_NULL)
        return "null";
    if (n->flags & NODE_QUOTED)
        return "a string";
    if (strcmp(n->text, "true") == 0 || strcmp(n->text, "false") == 0)
        return "a boolean";
    return "a number";
}

bool im_is_string(const struct node *n)
{
    return n->kind == NODE_SCALAR && (n->flags & NODE_QUOTED);
}

bool im_is_bool(const struct node *n)
{
    return n->kind == NODE_SCALAR && !(n->flags & (NODE_QUOTED | NODE_NULL)) &&
           (strcmp(n->text, "true") == 0 || strcmp(n->text, "false") == 0);
}

bool im_is_number(const struct node *n)
{
    return n->kind == NODE_SCALAR && !(n->flags & (NODE_QUOTED | NODE_NULL)) && !im_is_bool(n);
}

bool im_is_integer(const struct node *n)
{
    return im_is_number(n) && strspn(n->text + (n->text[0] == '-'), "0123456789") ==
                                  strlen(n->text + (n->text[0] == '-'));
}

const struct node *im_field(const struct node *obj, const char *name)
{
    const struct node *n = node_map_get(obj, name);
    return n && !(n->kind == NODE_SCALAR && (n->flags & NODE_NULL)) ? n : NULL;
}

bool im_want(struct import *im, const struct node *n, bool ok, const char *what)
{
    if (!ok)
        im_fail(im, n, "expected %s, got %s", what, im_json_type(n));
    return ok;
}

const struct node *im_string_field(struct import *im, const struct node *obj, const char *name)
{
    const struct node *n = im_field(obj, name);
    return n && im_want(im, n, im_is_string(n), "a string") ? n : NULL;
}

const struct node *im_object_field(struct import *im, const struct node *obj, const char *name)
{
    const struct node *n = im_field(obj, name);
    return n && im_want(im, n, n->kind == NODE_MAP, "an object") ? n : NULL;
}

const struct node *im_array_field(struct import *im, const struct node *obj, const char *name)
{
    const struct node *n = im_field(obj, name);
    return n && im_want(im, n, n->kind == NODE_SEQ, "an array") ? n : NULL;
}

const struct node *im_integer_field(struct import *im, const struct node *obj, const char *name)
{
    const struct node *n = im_field(obj, name);
    return n && im_want(im, n, im_is_integer(n), "an integer") ? n : NULL;
}

const struct node *im_bool_field(struct import *im, const struct node *obj, const char *name)
{
    const struct node *n = im_field(obj, name);
    return n && im_want(im, n, im_is_bool(n), "true or false") ? n : NULL;
}

bool im_says_nothing(const struct node *n)
{
    if (n->kind != NODE_SCALAR)
        return n->n_items == 0;
    return (n->flags & NODE_NULL) || (im_is_string(n) && !*n->text) ||
           (im_is_bool(n) && strcmp(n->text, "false") == 0);
}

void im_check_fields(struct import *im, const struct node *obj, const struct spec_field *f,
                     size_t n)
{
    for (size_t i = 0; i < obj->n_items; i++) {
        const struct node *item = obj->items[i];
        size_t j = 0;
        while (j < n && strcmp(f[j].name, item->key) != 0)
            j++;
        if (j == n)
            diags_key(im->d, DIAG_NOTE, item,
                      "not a field of the OCI runtime spec; ignored, as the spec asks");
        else if (f[j].refused && !im_says_nothing(item))
            im_fail(im, item, "%s", f[j].refused);
    }
}

/* ---- writing the profile ---- */

struct node *im_scalar_at(struct import *im, const struct node *from, const char *text, bool quoted)
{
    struct node *n = node_new_scalar(im->src, 0, 0, text, strlen(text), quoted ? NODE_QUOTED : 0);
    n->where = node_path(from);
    return n;
}

struct node *im_container_at(struct import *im, enum node_kind kind, const struct node *from)
{
    struct node *n = node_new(kind, im->src, 0, 0);
    n->where = node_path(from);
    return n;
}

void im_put(struct node *map, const char *key, struct node *value)
{
    node_map_append(map, key, 0, 0, value);
}

struct node *im_submap(struct import *im, struct node *map, const char *key,
                       const struct node *from)
{
    struct node *m = node_map_get(map, key);
    if (!m) {
        m = im_container_at(im, NODE_MAP, from);
        im_put(map, key, m);
    }
    return m;
}

void im_put_copy(struct import *im, struct node *map, const char *key, const struct node *from)
{
    im_put(map, key, im_scalar_at(im, from, from->text, im_is_string(from)));
}

void im_import_strings_map(struct import *im, const struct node *obj, const char *key)
{
    struct node *m = im_container_at(im, NODE_MAP, obj);
    for (size_t i = 0; i < obj->n_items; i++) {
        const struct node *v = obj->items[i];
        if (im_want(im, v, im_is_string(v), "a string"))
            im_put(m, v->key, im_scalar_at(im, v, v->text, true));
    }
    im_put(im->out, key, m);
}

bool im_mappings_text(struct import *im, const struct node *arr, const char *kind,
                      struct strbuf *text)
{
    bool ok = true;
    for (size_t i = 0; arr && i < arr->n_items; i++) {
        const struct node *m = arr->items[i];
        if (!im_want(im, m, m->kind == NODE_MAP, "an object")) {
            ok = false;
            continue;
        }
        static const struct spec_field fields[] = {
            {"containerID", NULL}, {"hostID", NULL}, {"size", NULL}};
        CHECK_FIELDS(im, m, fields);
        const struct node *v[3] = {im_integer_field(im, m, "containerID"),
                                   im_integer_field(im, m, "hostID"),
                                   im_integer_field(im, m, "size")};
        for (int j = 0; j < 3; j++) {
            if (!v[j]) {
                if (!im_field(m, fields[j].name))
                    im_fail(im, m, "a mapping needs containerID, hostID and size");
                ok = false;
            } else if (v[j]->text[0] == '-') {
                im_fail(im, v[j], "expected an id from 0 to 4294967295");
                ok = false;
            }
        }
        if (v[0] && v[1] && v[2])
            strbuf_printf(text, "%s%s:%s:%s:%s", text->len ? "," : "", kind, v[0]->text, v[1]->text,
                          v[2]->text);
    }
    return ok;
}

char *im_obj_mappings(struct import *im, const struct node *obj)
{
    struct strbuf text = {0};
    bool ok = im_mappings_text(im, im_array_field(im, obj, "uidMappings"), "uid", &text) &
              im_mappings_text(im, im_array_field(im, obj, "gidMappings"), "gid", &text);
    if (!ok || (im_field(obj, "uidMappings") && !im_array_field(im, obj, "uidMappings")) ||
        (im_field(obj, "gidMappings") && !im_array_field(im, obj, "gidMappings"))) {
        strbuf_free(&text);
        return NULL;
    }
    return strbuf_steal(&text);
}

/* Is the kernel enforcing a security module that a config's label would be for? */
static bool lsm_enabled(const char *name)
{
    if (strcmp(name, "selinux") == 0)
        return access("/sys/fs/selinux/enforce", F_OK) == 0;
    _cleanup_free_ char *text = NULL;
    size_t len;
    return read_file_max("/sys/module/apparmor/parameters/enabled", 16, &text, &len) == 0 &&
           len > 0 && text[0] == 'Y';
}

/* An AppArmor profile or SELinux label: what runc does with it on a host without the module. */
void im_import_label(struct import *im, const struct node *obj, const char *key, const char *lsm)
{
    const struct node *label = im_string_field(im, obj, key);
    if (label && *label->text && lsm_enabled(lsm))
        im_fail(
            im, label,
            "congo does not apply %s labels, and this host enforces %s: refused rather than run "
            "without it",
            strcmp(lsm, "selinux") == 0 ? "SELinux" : "AppArmor",
            strcmp(lsm, "selinux") == 0 ? "SELinux" : "AppArmor");
}
