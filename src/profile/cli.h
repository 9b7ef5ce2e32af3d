/*
 * The positional `run` front-end and its inverse, --print-cli.
 *
 *   run ROOTFS PROCESS_LIMIT MEMORY_LIMIT CPU_SHARES ENV_VARS [--KEY VALUE]... [-- COMMAND...]
 *
 * is turned into the same node tree a profile file would give, so the schema
 * types and checks it like any other layer; profile_print_cli writes a
 * profile back as such a command line.
 */
#pragma once

#include "diag.h"
#include "node.h"
#include "profile.h"

/*
 * argv[0] is the word after `run`. Options may stand anywhere among the five
 * positionals; `--` ends them and the rest is the command. `-` in a
 * positional slot leaves its key unset. In option values and ENV_VARS, `\,`
 * is a literal comma and `\\` a literal backslash. Every scalar is a quoted
 * string located at src (line 0): the schema does the typing.
 *
 * Returns the root map, or NULL after recording every error in d.
 */
struct node *cli_parse_run(int argc, char **argv, const struct source *src, struct diags *d);

/*
 * s as one POSIX shell word: unchanged when it is made only of characters no
 * shell treats specially, else in single quotes. Caller frees.
 */
char *shell_quote(const char *s);

/*
 * The `congo-launch run ...` command line that builds p again, on one line
 * ending in a newline, every word shell quoted. Only values that differ from
 * their defaults are written as options. Caller frees.
 */
char *profile_print_cli(const struct profile *p);
