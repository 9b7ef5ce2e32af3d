/*
 * An OCI runtime bundle's config.json as a profile: another front-end of
 * the profile language, like the YAML and libconfig readers.
 *
 *   config.json -> load_json -> node tree -> oci_import -> profile tree -> the stack
 *
 * The importer writes every key a config decides, including what the
 * runtime spec means by leaving a field out (no seccomp, no init, the
 * namespaces not listed shared with the host, congo's own mounts and masks
 * that the config does not list taken back), so the profile runs the
 * config's container and not congo's defaults. Each value it writes is
 * located at the config's JSON pointer it came from, so the profile's own
 * checks report `config.json: error: /linux/resources/memory/limit: ...`.
 * A field of the spec congo cannot honour is an error at its pointer;
 * properties the spec does not define are ignored with a note, as the spec
 * asks of runtimes.
 */
#pragma once

#include "profile/diag.h"
#include "profile/node.h"

/*
 * The profile tree (a map of profile keys) for a config.json read by
 * load_json. Errors go to d; the tree holds what could be read, so that
 * the profile's own checks report the rest of what is wrong in one go.
 */
struct node *oci_import(const struct node *config, struct diags *d);

/*
 * The profile keys of a lone process object (`runc exec --process`'s
 * process.json): the command, its environment (the whole of it), working
 * directory, user, capabilities, rlimits and no_new_privileges, located at
 * the file's own pointers (/args/0, /user/uid). user.additionalGids is
 * only checked to be integers: the caller hands them to the join.
 */
struct node *oci_import_process(const struct node *process, struct diags *d);
