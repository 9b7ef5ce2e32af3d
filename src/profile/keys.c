/*
 * The key table: keys.def's rows made into profile_keys[], and finding a
 * key by its name or option. Everything about a key that is not code sits
 * in its row; the code that reads, merges and prints values loops over the
 * rows (schema.c, print.c, cli.c, profile.c) and calls a key's type for
 * the rest (value.h).
 */
#include "schema.h"

#include <stddef.h>
#include <string.h>

#include "util/util.h"
#include "value.h"

/*
 * The offset of field f, which must be of type T: a row that names the
 * wrong field, or the wrong kind for it, does not compile.
 */
#define FIELD_IS(f, T) __builtin_types_compatible_p(__typeof__(((struct profile *)0)->f), T)
#define FIELD(f, T) (offsetof(struct profile, f) + 0 * sizeof(char[FIELD_IS(f, T) ? 1 : -1]))
#define NONE .kind = KIND_NONE
#define STRING(f) .kind = KIND_STRING, .offset = FIELD(f, char *)
#define FLAG(f) .kind = KIND_BOOL, .offset = FIELD(f, bool)
#define INTEGER(f) .kind = KIND_INT, .offset = FIELD(f, int64_t)
#define VALUE(f, T) .kind = KIND_COMPLEX, .offset = FIELD(f, T)
#define COMPLEX(f, T, a, A) VALUE(f, T), .aux = FIELD(a, A)
#define LIST(f, T) COMPLEX(f, T *, n_##f, size_t)
#define BITS(f) VALUE(f, uint64_t)

const struct value_type *const value_types[TYPE__MAX] = {
    [TYPE_INCLUDE] = &type_include, [TYPE_RESET] = &type_reset,
    [TYPE_NAME] = &type_name,       [TYPE_PATH] = &type_path,
    [TYPE_PATHS] = &type_paths,     [TYPE_UPPER] = &type_upper,
    [TYPE_BOOL] = &type_bool,       [TYPE_HOSTNAME] = &type_hostname,
    [TYPE_USER] = &type_user,       [TYPE_ABSPATH] = &type_abspath,
    [TYPE_ENV] = &type_env,         [TYPE_COMMAND] = &type_command,
    [TYPE_PIDS] = &type_pids,       [TYPE_SIZE] = &type_size,
    [TYPE_INT] = &type_int,         [TYPE_CPUS] = &type_cpus,
    [TYPE_MOUNTS] = &type_mounts,   [TYPE_NAMESPACES] = &type_namespaces,
    [TYPE_CGROUP] = &type_cgroup,   [TYPE_CAPS] = &type_caps,
    [TYPE_SECCOMP] = &type_seccomp, [TYPE_RLIMITS] = &type_rlimits,
    [TYPE_CPATHS] = &type_cpaths,   [TYPE_DURATION] = &type_duration,
    [TYPE_UMASK] = &type_umask,     [TYPE_GROUPS] = &type_groups,
    [TYPE_DOMAINNAME] = &type_domainname,
    [TYPE_SYSCTL] = &type_sysctl,
    [TYPE_ANNOTATIONS] = &type_annotations,
    [TYPE_USERNS] = &type_userns,
    [TYPE_NETWORK] = &type_network,
    [TYPE_HOOKS] = &type_hooks,
    [TYPE_DEVICES] = &type_devices,
    [TYPE_DEVICE_RULES] = &type_device_rules,
};

const struct key_def profile_keys[KEY__MAX] = {
#define KEY(id_, ...) [KEY_##id_] = {.id = KEY_##id_, __VA_ARGS__},
#include "keys.def"
#undef KEY
};

const struct key_def *key_by_name(const char *dotted)
{
    for (size_t i = 0; i < KEY__MAX; i++)
        if (strcmp(profile_keys[i].name, dotted) == 0)
            return &profile_keys[i];
    return NULL;
}

const struct key_def *key_by_option(const char *option)
{
    for (size_t i = 0; i < KEY__MAX; i++)
        if (profile_keys[i].option && strcmp(profile_keys[i].option, option) == 0)
            return &profile_keys[i];
    return NULL;
}

const char *suggest_from(const char *const *words, size_t n, const char *misspelt)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < n; i++) {
        size_t dist = str_distance(words[i], misspelt);
        if (dist < best_d) {
            best_d = dist;
            best = words[i];
        }
    }
    return best;
}

bool key_is_group(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < KEY__MAX; i++)
        if (strncmp(profile_keys[i].name, name, n) == 0 && profile_keys[i].name[n] == '.')
            return true;
    return false;
}

const struct key_group profile_groups[KEY_GROUPS] = {
    {"limits", "The limits of the container's cgroup."},
    {"capabilities", "The capabilities a command running as root keeps: the default set, with "
                     "these added and dropped; and those any user keeps, the ambient ones."},
};

const char *key_suggest(const char *prefix, const char *misspelt)
{
    const char *words[KEY__MAX + KEY_GROUPS];
    size_t n = 0, plen = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < KEY__MAX; i++) {
        const char *name = profile_keys[i].name;
        if (plen) {
            if (strncmp(name, prefix, plen) == 0 && name[plen] == '.')
                words[n++] = name + plen + 1;
        } else if (!strchr(name, '.')) {
            words[n++] = name;
        }
    }
    for (size_t g = 0; !plen && g < KEY_GROUPS; g++)
        words[n++] = profile_groups[g].name;
    return suggest_from(words, n, misspelt);
}

void *key_list_push(struct profile *p, const struct key_def *k, size_t size)
{
    void **v = key_field(p, k);
    size_t *n = key_aux(p, k);
    *v = xrealloc(*v, (*n + 1) * size);
    void *entry = (char *)*v + (*n)++ * size;
    memset(entry, 0, size);
    return entry;
}

void key_list_remove(struct profile *p, const struct key_def *k, size_t i, size_t size)
{
    char *v = *(void **)key_field(p, k);
    size_t *n = key_aux(p, k);
    memmove(v + i * size, v + (i + 1) * size, (*n - i - 1) * size);
    (*n)--;
}

void key_list_reset(struct profile *p, const struct key_def *k, size_t size,
                    void (*clear)(void *entry))
{
    char *v = *(void **)key_field(p, k);
    size_t *n = key_aux(p, k);
    for (size_t i = 0; clear && i < *n; i++)
        clear(v + i * size);
    *n = 0;
}

void key_list_free(struct profile *p, const struct key_def *k, size_t size,
                   void (*clear)(void *entry))
{
    key_list_reset(p, k, size, clear);
    free(*(void **)key_field(p, k));
}

const char *profile_str(const struct profile *p, enum key_id id)
{
    const struct key_def *k = &profile_keys[id];
    const char *v = *(char *const *)key_value(p, k);
    return v ? v : k->def.s;
}

bool profile_bool(const struct profile *p, enum key_id id)
{
    return *(const bool *)key_value(p, &profile_keys[id]);
}

int64_t profile_int(const struct profile *p, enum key_id id)
{
    return *(const int64_t *)key_value(p, &profile_keys[id]);
}
