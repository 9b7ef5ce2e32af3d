/*
 * The profile's hooks. The launcher runs prestart, create_runtime,
 * poststart and poststop on the host; the child runs create_container in
 * the container's namespaces before pivot_root and start_container in the
 * container right before the command (child.c). Each gets the container's
 * state on its stdin, and its stdout and stderr are kept for the message
 * when it fails.
 */
#include "runtime/hooks.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "runtime/program.h"
#include "state/state.h"
#include "util/units.h"
#include "util/util.h"

/* The runtime-spec's version of the state a hook reads. */
#define HOOK_SPEC_VERSION "1.0.2"

/* What a hook's stdout and stderr may add to its message. */
#define HOOK_OUTPUT_MAX 2048

/* The runtime-spec's status at each stage. */
static const char *const stage_status[HOOK__MAX] = {
    [HOOK_PRESTART] = "creating",         [HOOK_CREATE_RUNTIME] = "creating",
    [HOOK_CREATE_CONTAINER] = "creating", [HOOK_START_CONTAINER] = "created",
    [HOOK_POSTSTART] = "running",         [HOOK_POSTSTOP] = "stopped",
};

char *hook_state_json(const struct hook_state *s, enum hook_stage stage)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:o}", "ociVersion", HOOK_SPEC_VERSION, "id",
                          s->id ? s->id : "", "status", stage_status[stage], "pid",
                          (json_int_t)s->pid, "bundle", s->bundle ? s->bundle : "", "annotations",
                          state_annotations_json(s->annotations));
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        abort(); /* only memory runs out here */
    return text;
}

/* The output without its trailing blank lines; "" for none. */
static void trim(char *out)
{
    size_t n = strlen(out);
    while (n && (out[n - 1] == '\n' || out[n - 1] == ' ' || out[n - 1] == '\r'))
        out[--n] = '\0';
}

static int run_one(const struct plan_hook *h, enum hook_stage stage, size_t i,
                   const char *state_json, const struct hooks_how *how, struct congo_error *e)
{
    const struct program p = {.path = h->path,
                              .argv = h->argv,
                              .envp = h->env ? h->env : how->default_env,
                              .input = state_json,
                              .timeout_ms = h->timeout_ms,
                              .cancel_fd = how->cancel_fd,
                              .prepare = how->prepare,
                              .arg = how->arg};
    char out[HOOK_OUTPUT_MAX];
    int status = program_exec(&p, out, sizeof(out));
    if (status == 0)
        return 0;
    int err = errno;
    trim(out);
    _cleanup_free_ char *said = *out ? xasprintf(": %s", out) : xstrdup("");
    const char *stage_name = hook_stage_names[stage];
    if (status < 0 && err == ETIME) {
        _cleanup_free_ char *t = format_duration(h->timeout_ms);
        return error_set(e, 0, "hooks.%s[%zu] `%s` was killed after its timeout of %s%s",
                         stage_name, i, h->path, t, said);
    }
    if (status < 0 && err == ECANCELED)
        return error_set(e, 0, "hooks.%s[%zu] `%s` was killed: the launcher was told to stop",
                         stage_name, i, h->path);
    if (status < 0)
        return error_set(e, err, "hooks.%s[%zu] `%s`", stage_name, i, h->path);
    if (status >= PROGRAM_SIGNALED)
        return error_set(e, 0, "hooks.%s[%zu] `%s` was killed by signal %d%s", stage_name, i,
                         h->path, status - PROGRAM_SIGNALED, said);
    return error_set(e, 0, "hooks.%s[%zu] `%s` failed with status %d%s", stage_name, i, h->path,
                     status, said);
}

int hooks_run(const struct run_plan *plan, enum hook_stage stage, const char *state_json,
              const struct hooks_how *how, struct congo_error *e)
{
    for (size_t i = 0; i < plan->n_hooks[stage]; i++)
        if (run_one(&plan->hooks[stage][i], stage, i, state_json, how, e) < 0)
            return -1;
    return 0;
}

bool hooks_before_start(const struct run_plan *plan)
{
    return plan->n_hooks[HOOK_PRESTART] || plan->n_hooks[HOOK_CREATE_RUNTIME] ||
           plan->n_hooks[HOOK_CREATE_CONTAINER] || plan->n_hooks[HOOK_START_CONTAINER];
}

void hooks_run_warn(const struct run_plan *plan, enum hook_stage stage, const char *state_json,
                    int cancel_fd, struct congo_error *w)
{
    /* The runtime-spec: a poststart or poststop hook that fails is logged, and the rest run. */
    const struct hooks_how how = {.cancel_fd = cancel_fd};
    for (size_t i = 0; i < plan->n_hooks[stage]; i++) {
        struct congo_error e = {0};
        run_one(&plan->hooks[stage][i], stage, i, state_json, &how, &e);
        error_append(w, &e);
    }
}

static json_t *strings_json(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

char *hooks_save(const struct run_plan *plan)
{
    static const enum hook_stage saved[] = {HOOK_POSTSTART, HOOK_POSTSTOP};
    json_t *o = json_object();
    for (size_t s = 0; s < ARRAY_SIZE(saved); s++) {
        if (!plan->n_hooks[saved[s]])
            continue;
        json_t *list = json_array();
        for (size_t i = 0; i < plan->n_hooks[saved[s]]; i++) {
            const struct plan_hook *h = &plan->hooks[saved[s]][i];
            json_t *one = json_pack("{s:s, s:o, s:I}", "path", h->path, "argv",
                                    strings_json(h->argv), "timeout_ms", (json_int_t)h->timeout_ms);
            if (h->env)
                json_object_set_new(one, "env", strings_json(h->env));
            json_array_append_new(list, one);
        }
        json_object_set_new(o, hook_stage_names[saved[s]], list);
    }
    char *text = json_object_size(o) ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

/* A list of strings, NULL-ended; NULL when it is not one. */
static char **strings_of(json_t *a)
{
    if (!json_is_array(a))
        return NULL;
    char **v = xcalloc(json_array_size(a) + 1, sizeof(char *));
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s) {
            strv_free(v);
            return NULL;
        }
        v[i] = xstrdup(s);
    }
    return v;
}

int hooks_load(const char *text, struct run_plan *plan)
{
    json_t *o = json_loads(text, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return -1;
    }
    int r = 0;
    for (int s = 0; s < HOOK__MAX && r == 0; s++) {
        json_t *list = json_object_get(o, hook_stage_names[s]);
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *one = json_array_get(list, i);
            const char *path = json_string_value(json_object_get(one, "path"));
            char **argv = strings_of(json_object_get(one, "argv"));
            json_t *env = json_object_get(one, "env");
            char **envp = env ? strings_of(env) : NULL;
            if (!path || !argv || !argv[0] || (env && !envp)) {
                strv_free(argv);
                strv_free(envp);
                r = -1;
                break;
            }
            plan->hooks[s] =
                xrealloc(plan->hooks[s], (plan->n_hooks[s] + 1) * sizeof(struct plan_hook));
            plan->hooks[s][plan->n_hooks[s]++] = (struct plan_hook){
                .path = xstrdup(path),
                .argv = argv,
                .env = envp,
                .timeout_ms = json_integer_value(json_object_get(one, "timeout_ms")),
            };
        }
    }
    json_decref(o);
    return r;
}
