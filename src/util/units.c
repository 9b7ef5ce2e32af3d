/*
 * Numbers as profiles and messages write them: sizes (512m), CPU quotas
 * (1.5), durations (10s, 500ms) and resource limits (unlimited).
 */
#include "units.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "util.h"

bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!all_digits(s))
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        uint64_t digit = (uint64_t)(*s - '0');
        if (digit > max || v > (max - digit) / 10)
            return -1;
        v = v * 10 + digit;
    }
    *out = v;
    return 0;
}

int parse_size(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return -1;
    uint64_t mult = 1;
    char unit = (char)tolower((unsigned char)s[n - 1]);
    if (unit == 'k' || unit == 'm' || unit == 'g') {
        mult = unit == 'k' ? 1024 : unit == 'm' ? 1024 * 1024 : 1024 * 1024 * 1024;
        n--;
    }
    _cleanup_free_ char *digits = xstrndup(s, n);
    uint64_t v;
    if (parse_uint(digits, INT64_MAX, &v) < 0 || v > (uint64_t)INT64_MAX / mult)
        return -1;
    *out = (int64_t)(v * mult);
    return 0;
}

char *format_size(int64_t bytes)
{
    static const struct {
        char unit;
        int64_t size;
    } units[] = {{'g', 1024LL * 1024 * 1024}, {'m', 1024 * 1024}, {'k', 1024}};
    for (size_t i = 0; i < ARRAY_SIZE(units); i++)
        if (bytes > 0 && bytes % units[i].size == 0)
            return xasprintf("%lld%c", (long long)(bytes / units[i].size), units[i].unit);
    return xasprintf("%lld", (long long)bytes);
}

int parse_cpus(const char *s, int64_t *quota_us)
{
    /* Whole CPUs and up to five decimals: the quota is in microseconds. */
    const char *dot = strchr(s, '.');
    size_t whole_len = dot ? (size_t)(dot - s) : strlen(s);
    const char *frac = dot ? dot + 1 : "";
    if (whole_len == 0 && !*frac)
        return -1;
    if (dot && !*frac)
        return -1;
    if (strlen(frac) > 5 || (*frac && !all_digits(frac)))
        return -1;
    _cleanup_free_ char *whole_s = xstrndup(s, whole_len);
    uint64_t whole = 0;
    if (whole_len && parse_uint(whole_s, 1000000, &whole) < 0)
        return -1;
    int64_t q = (int64_t)whole * CPU_PERIOD_US;
    int64_t scale = CPU_PERIOD_US / 10;
    for (const char *c = frac; *c; c++, scale /= 10)
        q += (*c - '0') * scale;
    *quota_us = q;
    return 0;
}

char *format_cpus(int64_t quota_us)
{
    int64_t whole = quota_us / CPU_PERIOD_US, frac = quota_us % CPU_PERIOD_US;
    if (!frac)
        return xasprintf("%lld", (long long)whole);
    char digits[8];
    snprintf(digits, sizeof(digits), "%05lld", (long long)frac);
    for (int i = 4; i > 0 && digits[i] == '0'; i--)
        digits[i] = '\0';
    return xasprintf("%lld.%s", (long long)whole, digits);
}

int parse_duration(const char *s, int64_t *ms)
{
    size_t n = strlen(s);
    uint64_t whole, frac = 0;
    if (n > 2 && strcmp(s + n - 2, "ms") == 0) {
        _cleanup_free_ char *num = xstrndup(s, n - 2);
        if (parse_uint(num, INT32_MAX, &whole) < 0)
            return -1;
        *ms = (int64_t)whole;
        return 0;
    }
    if (n > 1 && s[n - 1] == 's')
        n--;
    _cleanup_free_ char *num = xstrndup(s, n);
    char *dot = strchr(num, '.');
    if (dot) {
        *dot = '\0';
        size_t digits = strlen(dot + 1);
        /* Milliseconds are the finest a stop timeout needs. */
        if (digits == 0 || digits > 3 || parse_uint(dot + 1, 999, &frac) < 0)
            return -1;
        for (size_t i = digits; i < 3; i++)
            frac *= 10;
    }
    if (parse_uint(num, INT32_MAX, &whole) < 0)
        return -1;
    *ms = (int64_t)(whole * 1000 + frac);
    return 0;
}

char *format_duration(int64_t ms)
{
    if (ms % 1000 == 0)
        return xasprintf("%llds", (long long)(ms / 1000));
    if (ms < 1000)
        return xasprintf("%lldms", (long long)ms);
    _cleanup_free_ char *frac = xasprintf("%03lld", (long long)(ms % 1000));
    for (int i = 2; i > 0 && frac[i] == '0'; i--)
        frac[i] = '\0';
    return xasprintf("%lld.%ss", (long long)(ms / 1000), frac);
}

char *format_rlimit(uint64_t v)
{
    return v == RLIM_INFINITY ? xstrdup("unlimited") : xasprintf("%llu", (unsigned long long)v);
}
