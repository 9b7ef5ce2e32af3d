/*
 * Inside src/oci/: what the readers of config.json's parts share (import.c,
 * import-linux.c): the import's state, reading a field with its JSON type
 * checked, and writing profile nodes located at the config's pointers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "profile/diag.h"
#include "profile/node.h"
#include "util/util.h"

struct import {
    struct diags *d;
    struct node *out; /* the profile tree being written */
    const struct source *src;
    const struct node *linux_; /* the config's /linux, or NULL */
    /* The config's mounts that bind a host device node, for devices. */
    const struct node **device_binds;
    size_t n_device_binds;
};

/*
 * What congo does with each field of an object: read it (a handler of the
 * caller's looks at it), or refuse it with why (unless it says nothing).
 * Fields the spec does not define are noted and ignored.
 */
struct spec_field {
    const char *name;
    const char *refused; /* NULL: congo reads it */
};

#define CHECK_FIELDS(im, obj, table) im_check_fields(im, obj, table, ARRAY_SIZE(table))

void im_fail(struct import *im, const struct node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *im_json_type(const struct node *n);

bool im_is_string(const struct node *n);

bool im_is_bool(const struct node *n);

bool im_is_number(const struct node *n);

bool im_is_integer(const struct node *n);

/* The field, or NULL when it is absent or null (which the spec treats alike). */
const struct node *im_field(const struct node *obj, const char *name);

bool im_want(struct import *im, const struct node *n, bool ok, const char *what);

const struct node *im_string_field(struct import *im, const struct node *obj, const char *name);

const struct node *im_object_field(struct import *im, const struct node *obj, const char *name);

const struct node *im_array_field(struct import *im, const struct node *obj, const char *name);

const struct node *im_integer_field(struct import *im, const struct node *obj, const char *name);

const struct node *im_bool_field(struct import *im, const struct node *obj, const char *name);

/* A value that says nothing: null, "", [], {}, false. */
bool im_says_nothing(const struct node *n);

void im_check_fields(struct import *im, const struct node *obj, const struct spec_field *f,
                     size_t n);

/* A scalar located at the config's value it came from. */
struct node *im_scalar_at(struct import *im, const struct node *from, const char *text,
                          bool quoted);

struct node *im_container_at(struct import *im, enum node_kind kind, const struct node *from);

void im_put(struct node *map, const char *key, struct node *value);

/* The map under key in map (`limits`, `capabilities`), made at from when missing. */
struct node *im_submap(struct import *im, struct node *map, const char *key,
                       const struct node *from);

/* A copy of a config value (a string, a number or a bool) as the value of key. */
void im_put_copy(struct import *im, struct node *map, const char *key, const struct node *from);

void im_import_strings_map(struct import *im, const struct node *obj, const char *key);

/*
 * A mappings array ({containerID, hostID, size} each) as user_namespace's
 * entries of kind ("uid" or "gid") appended to text; false where one is not
 * such an object, with the error made.
 */
bool im_mappings_text(struct import *im, const struct node *arr, const char *kind,
                      struct strbuf *text);

/* user_namespace's text of the uid and gid mappings of obj; NULL where they are not well-formed. */
char *im_obj_mappings(struct import *im, const struct node *obj);

/* An AppArmor profile or SELinux label: as runc on a host without that module, or refused. */
void im_import_label(struct import *im, const struct node *obj, const char *key, const char *lsm);

/*
 * The binds of host device nodes that import_mount set aside, as devices
 * with the access the config's device rules give them; after /linux.
 */
void im_import_device_binds(struct import *im);

/* /linux: namespaces, id mappings, resources, sysctl, seccomp, paths (import-linux.c). */
void im_import_linux(struct import *im, const struct node *config);
