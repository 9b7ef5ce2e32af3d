/*
 * User namespace id maps as congo writes them: `0:100000:65536` maps
 * container ids 0..65535 to host ids 100000..165535; `uid:` or `gid:` in
 * front limits an entry to one kind of id. Several entries are separated by
 * commas. Pure functions: the profile checks the text with them, the plan
 * and the engine use the parsed form.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel takes at most this many lines in uid_map (Linux 4.15+). */
#define IDMAP_MAX 340

struct idmap_range {
    uint32_t inside, outside, count;
};

struct idmap {
    struct idmap_range uid[IDMAP_MAX], gid[IDMAP_MAX];
    size_t n_uid, n_gid;
};

/*
 * Parse text into m. 0, or -1 with a message (caller frees) that names the
 * entry and what is wrong: a field that is not a number, a count of 0, a
 * range past 4294967295, container or host ranges that overlap, uids
 * without gids.
 */
int idmap_parse(const char *text, struct idmap *m, char **why);

/* The text of m, entries for both kinds merged back where they agree. Caller frees. */
char *idmap_format(const struct idmap *m);

/* The host id container id `id` maps to; false when it is not mapped. */
bool idmap_to_host(const struct idmap_range *r, size_t n, uint32_t id, uint32_t *host);

/* /proc/PID/uid_map's text for n ranges: "inside outside count\n" each. Caller frees. */
char *idmap_proc_text(const struct idmap_range *r, size_t n);
