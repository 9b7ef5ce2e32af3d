/* The kernel's names for capabilities, resource limits and namespace types; hook stages. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Capabilities: "NET_ADMIN", "cap_net_admin" -> number; -1 for none. */
int capability_from_name(const char *name);
char *capability_name(int cap); /* "NET_ADMIN" */
int capability_last(void);       /* the highest capability congo knows */
/* The names of a set, bit N for capability N, by number: "NET_ADMIN, SYS_ADMIN"; "" for none. */
char *capability_list(uint64_t set);

/* Resource limits: "nofile" -> RLIMIT_NOFILE; -1 for none. */
int rlimit_from_name(const char *name);
const char *rlimit_name(int resource);
/* Every name, in the order the profile language lists them. */
size_t rlimit_count(void);
const char *rlimit_name_at(size_t i);

/*
 * Mount flags as mount(8) and OCI write them among a mount's options: "ro",
 * "nosuid", "relatime", ... and their opposites ("rw", "suid"). Returns
 * true when the len bytes at word are one, with the MS_* flag and whether
 * the word sets or clears it.
 */
bool mount_flag_word(const char *word, size_t len, unsigned long *flag, bool *set);
/* The words mount_flag_word knows, one by one from 0; NULL past the last. */
const char *mount_flag_word_at(size_t i);
/*
 * Takes the words of the flags in mask (nosuid and suid for MS_NOSUID)
 * out of a comma list of mount options, in place, and returns those of
 * the flags that the last word of each sets, as mount(8) applies them.
 * *named_set and *named_clear (either may be NULL) get the flags some
 * word sets (nosuid), and clears (suid).
 */
unsigned long mount_flags_take(char *options, unsigned long mask, unsigned long *named_set,
                               unsigned long *named_clear);

/* A signal by number, or by name with or without SIG in any case (TERM, sigkill); -1 for none. */
int signal_from_name(const char *s);

/* Namespace types: CLONE_NEWNET -> "net", as /proc/PID/ns/ names them; "?" for none. */
const char *namespace_name(unsigned long clone_flag);

/* When a hook runs: OCI's lifecycle stages, in the order a container meets them. */
enum hook_stage {
    HOOK_PRESTART,         /* the launcher, on the host: root assembled, before pivot_root */
    HOOK_CREATE_RUNTIME,   /* the same moment, after prestart's */
    HOOK_CREATE_CONTAINER, /* in the container's namespaces, host paths still seen */
    HOOK_START_CONTAINER,  /* in the container, as its user, right before the command */
    HOOK_POSTSTART,        /* the launcher, once the command runs */
    HOOK_POSTSTOP,         /* the launcher, once the container is gone */
    HOOK__MAX,
};

extern const char *const hook_stage_names[HOOK__MAX];     /* create_runtime, ... */
extern const char *const hook_stage_oci_names[HOOK__MAX]; /* createRuntime, ... */
