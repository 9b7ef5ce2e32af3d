/* The kernel's names for capabilities and resource limits. */
#pragma once

#include <stddef.h>

/* Capabilities: "NET_ADMIN", "cap_net_admin" -> number; -1 for none. */
int capability_from_name(const char *name);
char *capability_name(int cap); /* "NET_ADMIN" */
int capability_last(void);       /* the highest capability congo knows */

/* Resource limits: "nofile" -> RLIMIT_NOFILE; -1 for none. */
int rlimit_from_name(const char *name);
const char *rlimit_name(int resource);
/* Every name, in the order the profile language lists them. */
size_t rlimit_count(void);
const char *rlimit_name_at(size_t i);
