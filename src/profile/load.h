/* Front-ends that turn profile text into a node tree. */
#pragma once

#include <stddef.h>

#include "diag.h"
#include "node.h"

/* Caps that keep a hostile profile from costing more than a real one. */
#define LOAD_MAX_DEPTH 64        /* nesting of sequences and maps */
#define LOAD_MAX_NODES 100000    /* nodes in one file, aliases expanded */
#define LOAD_MAX_FILE_SIZE (1024 * 1024)

/*
 * Parse a whole profile file held in buf (NUL-terminated, len bytes, already
 * checked by load_file for NUL bytes and UTF-8). Returns the root map (an
 * empty map for an empty file), or NULL after recording the error in d.
 */
struct node *load_yaml(const char *buf, size_t len, const struct source *src, struct diags *d);
struct node *load_conf(const char *buf, size_t len, const struct source *src, struct diags *d);
/*
 * A JSON document whose top is an object; src->json should be set, so that
 * errors name JSON pointers. Syntax errors are located at line:column.
 */
struct node *load_json(const char *buf, size_t len, const struct source *src, struct diags *d);

/*
 * Parse one YAML flow value (`512m`, `[/a, /b]`, `{net: false}`) as given to
 * --set. Returns a scalar, sequence or map node, or NULL after an error.
 */
struct node *load_yaml_value(const char *text, const struct source *src, struct diags *d);

enum profile_format {
    FORMAT_UNKNOWN,
    FORMAT_YAML,
    FORMAT_CONF,
    FORMAT_JSON, /* an OCI runtime bundle's config.json */
};

/* By extension: .yaml/.yml, .conf/.cfg or .json. */
enum profile_format format_from_path(const char *path);

/*
 * Read and parse a profile file: refuses directories, files over
 * LOAD_MAX_FILE_SIZE, NUL bytes and invalid UTF-8, each as a located error.
 */
struct node *load_file(const char *path, const struct source *src, struct diags *d);
