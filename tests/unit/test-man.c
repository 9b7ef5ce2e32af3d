/*
 * The man pages and the key table agree: a new key cannot go undocumented,
 * and a documented key cannot be missing from the table.
 */
#include "helpers.h"

#include <string.h>

#include "profile/schema.h"
#include "util/util.h"

static char *read_man(const char *name)
{
    _cleanup_free_ char *path = xasprintf("%s/man/%s", test_srcdir(), name);
    char *text = NULL;
    size_t len;
    assert_int_equal(read_file_max(path, 1 << 20, &text, &len), 0);
    return text;
}

/* roff writes `-` as `\-`. */
static char *unescape(const char *s)
{
    struct strbuf sb = {0};
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == '-')
            s++;
        strbuf_putc(&sb, *s);
    }
    return strbuf_steal(&sb);
}

/* Each `.TP` / `.B NAME` pair of the KEYS section, in order, with its text. */
static void test_profile_man_lists_every_key(void **state)
{
    (void)state;
    _cleanup_free_ char *man = read_man("congo-profile.5");
    char *keys = strstr(man, "\n.SH KEYS\n");
    assert_non_null(keys);
    char *end = strstr(keys + 1, "\n.SH ");
    if (end)
        *end = '\0';
    size_t i = 0;
    for (char *p = keys; (p = strstr(p, "\n.TP\n.B ")); p++) {
        char *name = p + strlen("\n.TP\n.B ");
        char *eol = strchr(name, '\n');
        assert_non_null(eol);
        _cleanup_free_ char *raw = xstrndup(name, (size_t)(eol - name));
        _cleanup_free_ char *key = unescape(raw);
        if (i >= KEY__MAX)
            fail_msg("congo-profile(5) documents `%s`, which is not in the key table", key);
        if (strcmp(key, profile_keys[i].name) != 0)
            fail_msg("congo-profile(5) entry %zu is `%s`, the key table has `%s`", i, key,
                     profile_keys[i].name);
        /* The entry spells out the type, default and merge rule of the table. */
        char *next = strstr(eol, "\n.TP\n");
        _cleanup_free_ char *body_raw =
            next ? xstrndup(eol, (size_t)(next - eol)) : xstrdup(eol);
        _cleanup_free_ char *body = unescape(body_raw);
        if (!strstr(body, profile_keys[i].default_doc))
            fail_msg("congo-profile(5) `%s` does not give its default `%s`", key,
                     profile_keys[i].default_doc);
        if (!strstr(body, profile_keys[i].merge_doc))
            fail_msg("congo-profile(5) `%s` does not give its merge rule `%s`", key,
                     profile_keys[i].merge_doc);
        i++;
    }
    if (i != KEY__MAX)
        fail_msg("congo-profile(5) documents %zu keys, the key table has %d", i, KEY__MAX);
}

/* congo-launch(1) names every run option. */
static void test_launch_man_lists_every_option(void **state)
{
    (void)state;
    _cleanup_free_ char *raw = read_man("congo-launch.1");
    _cleanup_free_ char *man = unescape(raw);
    for (size_t i = 0; i < KEY__MAX; i++) {
        if (!profile_keys[i].option)
            continue;
        _cleanup_free_ char *opt = xasprintf("--%s", profile_keys[i].option);
        if (!strstr(man, opt))
            fail_msg("congo-launch(1) does not document %s", opt);
    }
    static const char *const global[] = {"--check", "--fragment", "--print", "--format",
                                         "--show-origin", "--print-cli", "--print-schema",
                                         "--set", "--reset", "--verbose", "--help", "--version"};
    for (size_t i = 0; i < ARRAY_SIZE(global); i++)
        if (!strstr(man, global[i]))
            fail_msg("congo-launch(1) does not document %s", global[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_man_lists_every_key),
        cmocka_unit_test(test_launch_man_lists_every_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
