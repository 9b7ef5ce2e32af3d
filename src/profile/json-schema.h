/*
 * --print-schema: the profile language as a JSON Schema (draft-07), made
 * from the key table, for editors that check YAML against one.
 */
#pragma once

/* The schema of one profile file, included or not: every key optional. Caller frees. */
char *profile_json_schema(void);
