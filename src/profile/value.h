/*
 * Inside src/profile/: the types behind the key table.
 *
 * A row of the table (keys.def) says where a value lives and which type it
 * has. The type's operations do everything that is not the same for every
 * key: a scalar type (a string, a bool, an integer) only reads its text and
 * writes it back, and shares scalar_ops, which store, merge, reset,
 * compare, print and free any scalar by its row; a list, map or set type
 * (env, mounts, capabilities, ...) brings operations of its own. The loops
 * in schema.c, profile.c, print.c and cli.c call them for every row.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "print.h"
#include "schema.h"
#include "util/util.h"

/* Where a row's value and its companion field live in p. */
static inline void *key_field(struct profile *p, const struct key_def *k)
{
    return (char *)p + k->offset;
}

static inline const void *key_value(const struct profile *p, const struct key_def *k)
{
    return (const char *)p + k->offset;
}

static inline void *key_aux(struct profile *p, const struct key_def *k)
{
    return (char *)p + k->aux;
}

static inline const void *key_aux_value(const struct profile *p, const struct key_def *k)
{
    return (const char *)p + k->aux;
}

/* The entries of a row's list (LIST(f, T) in keys.def) and their count. */
#define KEY_LIST(T, p, k) (*(T **)key_field(p, k))
#define KEY_CLIST(T, p, k) (*(T *const *)key_value(p, k))

static inline size_t key_count(const struct profile *p, const struct key_def *k)
{
    return *(const size_t *)key_aux_value(p, k);
}

/* A new entry, zeroed, at the end of a row's list. */
void *key_list_push(struct profile *p, const struct key_def *k, size_t size);
/* Drops entry i of a row's list; the others keep their order. */
void key_list_remove(struct profile *p, const struct key_def *k, size_t i, size_t size);
/* Empties a row's list, clearing each entry with clear (NULL: nothing to clear). */
void key_list_reset(struct profile *p, const struct key_def *k, size_t size,
                    void (*clear)(void *entry));
/* The same, and frees the array. */
void key_list_free(struct profile *p, const struct key_def *k, size_t size,
                   void (*clear)(void *entry));

struct printer;
struct json;

/* What a type does with the values of a row. */
struct value_ops {
    /* One value of a tree into a layer; errors go to d. */
    int (*read)(struct profile *layer, const struct key_def *k, const struct node *n,
                const struct layer_ctx *ctx, struct diags *d);
    /* The value of a fresh profile (NULL: all zero). */
    void (*init)(struct profile *p, const struct key_def *k);
    /* A later layer's value onto the profile built so far, by the key's merge rule. */
    void (*merge)(struct profile *into, const struct profile *layer, const struct key_def *k);
    /* `reset`: back to the default. */
    void (*reset)(struct profile *p, const struct key_def *k);
    bool (*equal)(const struct profile *a, const struct profile *b, const struct key_def *k);
    void (*free)(struct profile *p, const struct key_def *k);
    /* --print: `key: value` at this level of indentation, with origins. */
    void (*print)(struct printer *pr, const struct profile *p, const struct key_def *k, int level,
                  const char *key);
    /* --print-cli: the key's `run` options, when its value is not the default. */
    void (*cli)(struct strbuf *line, const struct profile *p, const struct key_def *k);
    /* The text of a positional slot of `run`; NULL: `-`. Only for positional keys. */
    char *(*slot)(const struct profile *p, const struct key_def *k);

    /* Optional. After a whole tree is read into a layer. */
    void (*finish)(struct profile *layer, const struct key_def *k);
    /* Optional, maps: `reset: [KEY.NAME]` drops one entry. */
    bool (*entry_valid)(const char *name, char **hint);
    void (*reset_entry)(struct profile *p, const struct key_def *k, const char *name);
    /* --print-schema: the pattern of NAME in KEY.NAME. Caller frees. */
    char *(*entry_pattern)(void);
};

/* How --print writes a scalar's text. */
enum print_style {
    STYLE_LITERAL, /* as is in both formats: true, 100, 1.5 */
    STYLE_WORD,    /* as is in YAML, a string in libconfig: 512m, unlimited */
    STYLE_STRING,  /* a string in both formats */
};

struct value_type {
    const struct value_ops *ops; /* NULL: not stored (include, reset) */

    /* Scalars (ops == &scalar_ops): one scalar into *out (char **, bool * or int64_t *). */
    int (*parse)(const struct key_def *k, const struct node *n, void *out, struct diags *d);
    /* Integers: the text of a value (LIMIT_UNLIMITED aside) and how --print writes it. */
    char *(*format)(int64_t v);
    enum print_style style;
    bool unlimited; /* integers: `unlimited` is a value, LIMIT_UNLIMITED */
    /* Optional: what --print shows when other keys decide it; NULL with *why: a comment. */
    char *(*shown)(const struct profile *p, const struct key_def *k, const char **why);

    /* --print-schema: the key's JSON Schema, after its description and default. */
    void (*schema)(struct json *j, const struct key_def *k);
};

extern const struct value_type *const value_types[TYPE__MAX];

static inline const struct value_type *key_type(const struct key_def *k)
{
    return value_types[k->type];
}

static inline const struct value_ops *key_ops(const struct key_def *k)
{
    return value_types[k->type]->ops;
}

/* The operations every scalar type shares. */
extern const struct value_ops scalar_ops;

/* json-schema.c: keys the stack reads, not stored (include, reset) */
extern const struct value_type type_include, type_reset;
/* value-scalar.c */
extern const struct value_type type_name, type_path, type_upper, type_bool, type_hostname,
    type_user, type_abspath, type_pids, type_size, type_int, type_cpus, type_cgroup, type_duration,
    type_umask, type_domainname, type_userns;
/* value-list.c */
extern const struct value_type type_paths, type_cpaths, type_env, type_command, type_groups,
    type_sysctl, type_annotations;
/* value-devices.c */
extern const struct value_type type_devices, type_device_rules;

/*
 * value-list.c: the operations of a list of strings (struct profile_layer),
 * for list types elsewhere. container_paths_merge appends what is not
 * there yet.
 */
void paths_push(struct profile *p, const struct key_def *k, char *path, struct origin origin);
void container_paths_merge(struct profile *into, const struct profile *layer,
                           const struct key_def *k);
void paths_reset(struct profile *p, const struct key_def *k);
void paths_free(struct profile *p, const struct key_def *k);
bool paths_equal(const struct profile *a, const struct profile *b, const struct key_def *k);
void paths_print(struct printer *pr, const struct profile *p, const struct key_def *k, int level,
                 const char *key);
void paths_cli(struct strbuf *line, const struct profile *p, const struct key_def *k);
/* value-mount.c */
extern const struct value_type type_mounts;
/* value-set.c */
extern const struct value_type type_namespaces, type_caps, type_seccomp, type_rlimits;
/* value-network.c */
extern const struct value_type type_network;
/* value-hooks.c */
extern const struct value_type type_hooks;

/* ---- reading (value-read.c; suggest_from in keys.c) ---- */

/* "a map", "a list", "a value": for "expected X, got Y". */
const char *node_kind_name(const struct node *n);
/* The text of a scalar node, or NULL after an error that says `what` was expected. */
const char *read_scalar(const struct node *n, const char *what, struct diags *d);
int read_bool(const struct node *n, bool *out, struct diags *d);
/* A host path, relative to the file that wrote it; normalised. Caller frees. */
char *read_host_path(const struct node *n, struct diags *d);
/* An absolute path inside the container, without `..`; normalised. Caller frees. */
char *read_container_path(const struct node *n, struct diags *d);
bool path_under(const char *path, const char *dir);
/* No "//", "/./" or trailing "/"; ".." climbs one component. Caller frees. */
char *path_normalize(const char *path);
bool valid_name(const char *s);
bool valid_hostname(const char *s);
bool valid_env_name(const char *s, size_t n);
/* A user or group as `user` and `groups` take it: a number below 2^32-1, or a portable name. */
bool valid_id(const char *s, size_t n);
/* Was n written in a file (not on the command line)? */
bool from_file(const struct node *n);
struct origin origin_of(const struct node *n, const struct layer_ctx *ctx);
/* The nearest of words to a misspelt one (within an edit distance of 2), or NULL. */
const char *suggest_from(const char *const *words, size_t n, const char *misspelt);

/* ---- printing (print.c) ---- */

struct printer {
    struct strbuf sb;
    enum print_format fmt;
    bool show_origin;
};

void put_indent(struct printer *pr, int level);
/* A string value, in the syntax of the format; `$` goes back as `$$`. */
void put_string(struct printer *pr, const char *s);
void put_origin(struct printer *pr, const struct origin *o);
/* `key: ` or `key = `, then the value, then key_close. */
void key_open(struct printer *pr, int level, const char *key);
void key_close(struct printer *pr, const struct origin *o);
void put_key_string(struct printer *pr, int level, const char *key, const char *value,
                    const struct origin *o);
void put_key_literal(struct printer *pr, int level, const char *key, const char *value,
                     const struct origin *o);
/* A key with no value to give: shown, but as a comment. */
void put_key_unset(struct printer *pr, int level, const char *key, const char *why);
/* `key:` / `key = {` and its closing, around the entries of a map. */
void put_map_open(struct printer *pr, int level, const char *key);
void put_map_close(struct printer *pr, int level);

/* Does a --mount value start with a field of the map form (`target=`, ...)? value-mount.c */
bool mount_is_map_form(const char *value);

/* ---- --print-cli (cli.c) ---- */

/* `\,` and `\\`: one item of a list value. */
void cli_escape(struct strbuf *sb, const char *s);
/* FIELD=VALUE, the value escaped, after a comma unless it is the first item of sb. */
void cli_put_item(struct strbuf *sb, const char *field, const char *value);
void cli_put_word(struct strbuf *line, const char *word);
/* --OPTION VALUE, value escaped already. */
void cli_put_option(struct strbuf *line, const struct key_def *k, const char *value);
void cli_put_option_escaped(struct strbuf *line, const struct key_def *k, const char *value);
/* The items of a list, escaped and joined with commas; NULL for no items. Caller frees. */
char *cli_list(char *const *items);
/* --OPTION with that list as its value; nothing for no items. */
void cli_put_list(struct strbuf *line, const struct key_def *k, char *const *items);

/* ---- --print-schema (json-schema.c) ---- */

/* A member of the object being written (key NULL: an item of an array) that opens one. */
void jsonw_open(struct json *j, const char *key, char bracket);
void jsonw_close(struct json *j);
void jsonw_string(struct json *j, const char *key, const char *value);
/* A number, true or false, as written. */
void jsonw_raw(struct json *j, const char *key, const char *text);
void jsonw_int(struct json *j, const char *key, int64_t v);
/* Whole schemas, as items of an anyOf: */
void schema_type(struct json *j, const char *type);
void schema_pattern(struct json *j, const char *pattern);
/* A string that is not empty. */
void schema_text(struct json *j);
/* The member "type": any YAML scalar, which congo reads as text. */
void schema_any_scalar(struct json *j);
void schema_words(struct json *j, const char *const *words, size_t n);
/* A number of that type within min and max (NULL: no bound), as written. */
void schema_range(struct json *j, const char *type, const char *min, const char *max);
/* A string holding ${NAME}, which congo checks once the variable is replaced. */
void schema_variable(struct json *j);
/* true or false, as YAML or as a string. */
void schema_bool_value(struct json *j);
