/*
 * Inside src/profile/: what the code behind the key table shares.
 */
#pragma once

#include "schema.h"

/* Where a row's value lives in p. */
static inline void *key_field(struct profile *p, const struct key_def *k)
{
    return (char *)p + k->offset;
}

static inline const void *key_value(const struct profile *p, const struct key_def *k)
{
    return (const char *)p + k->offset;
}

/* The nearest of words to a misspelt one (within an edit distance of 2), or NULL. */
const char *suggest_from(const char *const *words, size_t n, const char *misspelt);
