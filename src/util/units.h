/* Numbers as profiles and messages write them: sizes, CPU quotas, durations. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* A limit that is not set: pids, memory, memory_swap. */
#define LIMIT_UNLIMITED (-1)
/* The CPU period a quota is given against, in microseconds. */
#define CPU_PERIOD_US 100000

/* Only the digits 0-9, and at least one. */
bool all_digits(const char *s);
/* Decimal integer without sign; -1 on junk or overflow past max. */
int parse_uint(const char *s, uint64_t max, uint64_t *out);

int parse_size(const char *s, int64_t *out);      /* "512m" -> bytes; -1 on error */
char *format_size(int64_t bytes);                  /* "512m" */
int parse_cpus(const char *s, int64_t *quota_us); /* "1.5" -> 150000; -1 on error */
char *format_cpus(int64_t quota_us);               /* "1.5" */
/* Durations: "10", "10s", "1.5s", "500ms" -> milliseconds; -1 on error. */
int parse_duration(const char *s, int64_t *ms);
char *format_duration(int64_t ms); /* "10s", "1.5s", "500ms" */
char *format_rlimit(uint64_t v);   /* "unlimited" or the number */
