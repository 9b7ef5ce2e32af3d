/*
 * Device nodes and device cgroup rules, as profiles and OCI write them:
 * `HOST_PATH[:CONTAINER_PATH[:ACCESS]]` for a node given to a container
 * (docker's --device), `TYPE MAJOR:MINOR ACCESS` for a rule (the v1
 * devices controller's devices.allow, docker's --device-cgroup-rule).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Any major or minor. */
#define DEV_ANY UINT32_MAX

enum dev_access {
    DEV_MKNOD = 1,
    DEV_READ = 2,
    DEV_WRITE = 4,
    DEV_RWM = 7,
};

struct dev_rule {
    char type;             /* 'a' (any), 'c' or 'b' */
    uint32_t major, minor; /* or DEV_ANY */
    unsigned access;       /* DEV_* bits, not 0 */
};

/*
 * The nodes congo binds into every /dev (null, zero, full, random,
 * urandom, tty), its ptmx and the terminals of its devpts: what a device
 * cgroup always allows.
 */
extern const struct dev_rule dev_own_rules[];
extern const size_t dev_n_own_rules;
/* The host's nodes congo binds into every /dev, at the same paths. */
extern const char *const dev_own_nodes[];
extern const size_t dev_n_own_nodes;

/* Does wide allow all that r does? */
bool dev_rule_covers(const struct dev_rule *wide, const struct dev_rule *r);

/* "c 1:3 rwm", "a *:* rwm", "b 8:* r": 0, or -1 with why (caller frees). */
int dev_rule_parse(const char *s, struct dev_rule *r, char **why);
/* Back to that text: "c 1:3 rwm". Caller frees. */
char *dev_rule_format(const struct dev_rule *r);
/* "rwm", "r": the bits, or 0 for a text that is not one. */
unsigned dev_access_parse(const char *s);
/* The bits as such a text, into out. */
void dev_access_format(unsigned access, char out[4]);

struct dev_spec {
    char *source; /* the host's node, absolute */
    char *target; /* in the container, absolute, below /dev */
    unsigned access;
};

/* "/dev/fuse", "/dev/zero:/dev/z", "/dev/sda:/dev/xvda:r": 0, or -1 with why. */
int dev_spec_parse(const char *s, struct dev_spec *d, char **why);
/* The shortest text that parses back the same. Caller frees. */
char *dev_spec_format(const struct dev_spec *d);
void dev_spec_clear(struct dev_spec *d);
