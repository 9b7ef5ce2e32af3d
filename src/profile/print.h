/* --print: the effective profile as a file that loads back to the same profile. */
#pragma once

#include <stdbool.h>

#include "profile.h"

enum print_format {
    PRINT_YAML,
    PRINT_CONF,
};

/* show_origin adds `# FILE:LINE`, `# default` or `# command line` to every value. */
char *profile_print(const struct profile *p, enum print_format fmt, bool show_origin);
