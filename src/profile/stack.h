/*
 * A whole profile from its sources: the PROFILE file and its includes (or
 * the run command line), an OCI process.json, then --reset/--set, then the
 * command after `--`.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "profile.h"

enum stack_op_kind {
    STACK_SET,   /* --set KEY=VALUE */
    STACK_RESET, /* --reset KEY */
};

struct stack_op {
    enum stack_op_kind kind;
    const char *arg;
};

struct stack_opts {
    const char *profile; /* a PROFILE argument, or NULL with run_argv */
    char **run_argv;     /* the words after `run` */
    int run_argc;
    const struct stack_op *ops; /* in command-line order */
    size_t n_ops;
    const char *process; /* an OCI process.json over the profile (congo-oci exec), or NULL */
    char **command; /* after `--`, or NULL */
    bool fragment;  /* --check --fragment: no required keys */
    FILE *verbose;  /* -v: which files were read */
};

#define INCLUDE_MAX_DEPTH 16

/*
 * Build the profile. Errors go to d; returns -1 when there were any. The
 * profile path is searched for bare names (profile_search_path()).
 */
int profile_load(struct profile *p, const struct stack_opts *o, struct diags *d);

/* The directories searched for bare profile names, in order. */
char **profile_search_path(void);

/*
 * Replace ${NAME}, ${NAME:-default} and $$ in every scalar value of a tree
 * read from a file. Returns -1 after recording errors.
 */
int interpolate_tree(struct node *n, struct diags *d);
