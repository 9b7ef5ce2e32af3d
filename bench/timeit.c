/*
 * timeit: wall time of whole process starts, without a shell in the way.
 *
 * Each start is clock_gettime(CLOCK_MONOTONIC) around posix_spawn + waitpid,
 * so what is measured is the launcher from exec to the reaping of its exit,
 * plus the same small spawn cost for every tool.
 *
 *   timeit [-n RUNS] [-w WARMUP] [-l LOGDIR] [-r RAW.csv] -- LABEL CMD [ARG...] [-- LABEL CMD...]
 *       interleaved rounds: every round starts each command once, in an
 *       order shuffled afresh (a fixed seed, so runs repeat), so drift on
 *       the machine (page cache, timers, other load) and the clean-up a
 *       start leaves to the kernel's workers after it exits (a network
 *       namespace is torn down asynchronously; runc leaves the most) fall
 *       on every tool alike: each follows each other as often. A fixed
 *       cycle would make one tool always run in the wake of the same
 *       heavy neighbour. Prints one line per command:
 *       LABEL RUNS FAILS MEDIAN_US P10_US P90_US Q1_US Q3_US MIN_US MAX_US CPU_US
 *       where CPU_US is the median CPU time (user + system, from wait4's
 *       rusage: the launcher and every descendant it reaped), which other
 *       load on the machine disturbs far less than wall time.
 *
 *   timeit -j PAR -n TOTAL [-l LOGDIR] -- LABEL CMD [ARG...]
 *       throughput: PAR workers start the command TOTAL times in all, each
 *       sequentially. Prints LABEL PAR TOTAL FAILS WALL_S STARTS_PER_S.
 *
 * An argument `\--` is a `--` of the command's own (`--` separates groups).
 * In an argument, `{}` becomes a token unique to the start (runc and crun
 * want a new container id for every run). Standard input and output are
 * /dev/null (a launcher must not see a terminal); standard error is appended
 * to LOGDIR/LABEL.err, or goes to /dev/null without -l.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd {
    const char *label;
    char **argv; /* as given, with `{}` placeholders */
    int argc;
    double *us;  /* one sample per run, microseconds */
    double *cpu; /* the CPU time of each of those runs, microseconds */
    int n, fails;
    char *errlog;
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *msg)
{
    fprintf(stderr, "timeit: %s: %s\n", msg, strerror(errno));
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

/* argv with every `{}` replaced by token; the strings are leaked (a few per start). */
static char **expand(const struct cmd *c, const char *token)
{
    char **v = xmalloc(sizeof(char *) * (size_t)(c->argc + 1));
    for (int i = 0; i < c->argc; i++) {
        const char *a = c->argv[i];
        const char *hole = strstr(a, "{}");
        if (!hole) {
            v[i] = (char *)a;
            continue;
        }
        size_t n = strlen(a) + strlen(token);
        char *s = xmalloc(n + 1);
        snprintf(s, n + 1, "%.*s%s%s", (int)(hole - a), a, token, hole + 2);
        v[i] = s;
    }
    return v;
}

static void free_expanded(const struct cmd *c, char **v)
{
    for (int i = 0; i < c->argc; i++)
        if (v[i] != c->argv[i])
            free(v[i]);
    free(v);
}

/*
 * One start: spawn, wait; returns the wall time in microseconds, or -1 when
 * it failed, and the CPU time of the whole tree in *cpu_us when asked.
 */
static double run_once(struct cmd *c, const char *token, double *cpu_us)
{
    char **argv = expand(c, token);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, c->errlog ? c->errlog : "/dev/null",
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    pid_t pid;
    double t0 = now_us();
    int r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    int status = 0;
    struct rusage ru = {0};
    if (r == 0)
        while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
            ;
    double t1 = now_us();
    if (cpu_us)
        *cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
                  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    posix_spawn_file_actions_destroy(&fa);
    free_expanded(c, argv);
    if (r != 0) {
        errno = r;
        fprintf(stderr, "timeit: spawn `%s`: %s\n", c->argv[0], strerror(r));
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Linear interpolation between the closest ranks (numpy's default). */
static double quantile(const double *sorted, int n, double q)
{
    if (n <= 0)
        return 0;
    double pos = q * (n - 1);
    int lo = (int)pos;
    if (lo >= n - 1)
        return sorted[n - 1];
    return sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]);
}

static void usage(void)
{
    fprintf(stderr, "usage: timeit [-n RUNS] [-w WARMUP] [-j PAR] [-l LOGDIR] [-r RAW.csv] "
                    "-- LABEL CMD [ARG...] [-- LABEL CMD...]\n");
    exit(2);
}

static int throughput(struct cmd *c, int par, int total)
{
    double t0 = now_us();
    pid_t *workers = xmalloc(sizeof(pid_t) * (size_t)par);
    for (int w = 0; w < par; w++) {
        int mine = total / par + (w < total % par);
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            int fails = 0;
            for (int i = 0; i < mine; i++) {
                char token[64];
                snprintf(token, sizeof(token), "%d-%d-%d", (int)getppid(), w, i);
                if (run_once(c, token, NULL) < 0)
                    fails++;
            }
            _exit(fails > 255 ? 255 : fails);
        }
        workers[w] = pid;
    }
    int fails = 0;
    for (int w = 0; w < par; w++) {
        int status;
        while (waitpid(workers[w], &status, 0) < 0 && errno == EINTR)
            ;
        /* A worker killed by a signal counts its whole share as failed. */
        fails += WIFEXITED(status) ? WEXITSTATUS(status) : total / par + (w < total % par);
    }
    double wall = (now_us() - t0) / 1e6;
    printf("%s %d %d %d %.4f %.1f\n", c->label, par, total, fails, wall,
           wall > 0 ? (total - fails) / wall : 0);
    free(workers);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 100, warmup = 3, par = 0;
    const char *logdir = NULL, *raw = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "+n:w:j:l:r:")) != -1) {
        switch (opt) {
        case 'n': runs = atoi(optarg); break;
        case 'w': warmup = atoi(optarg); break;
        case 'j': par = atoi(optarg); break;
        case 'l': logdir = optarg; break;
        case 'r': raw = optarg; break;
        default: usage();
        }
    }
    if (runs <= 0 || warmup < 0)
        usage();
    /* getopt stops at `--` and consumes it; groups follow, separated by further `--`. */
    struct cmd *cmds = xmalloc(sizeof(struct cmd) * (size_t)(argc + 1));
    int k = 0;
    for (int i = optind; i < argc;) {
        int j = i;
        while (j < argc && strcmp(argv[j], "--") != 0)
            j++;
        if (j - i < 2)
            usage();
        struct cmd *c = &cmds[k++];
        c->label = argv[i];
        c->argv = &argv[i + 1];
        c->argc = j - i - 1;
        argv[j < argc ? j : argc] = NULL; /* terminates this group's argv */
        /* `\--` stands for a `--` of the command's own (congo-launch --exec ID -- CMD). */
        for (int a = 0; a < c->argc; a++)
            if (strcmp(c->argv[a], "\\--") == 0)
                c->argv[a] = "--";
        c->us = xmalloc(sizeof(double) * (size_t)runs);
        c->cpu = xmalloc(sizeof(double) * (size_t)runs);
        if (logdir) {
            size_t n = strlen(logdir) + strlen(c->label) + 8;
            c->errlog = xmalloc(n);
            snprintf(c->errlog, n, "%s/%s.err", logdir, c->label);
        }
        i = j + 1;
    }
    if (k == 0)
        usage();
    if (par > 0) {
        if (k != 1)
            usage();
        return throughput(&cmds[0], par, runs);
    }

    FILE *rawf = NULL;
    if (raw && !(rawf = fopen(raw, "w")))
        die(raw);
    if (rawf)
        fprintf(rawf, "round,label,us,ok\n");
    char token[64];
    int *order = xmalloc(sizeof(int) * (size_t)k);
    for (int i = 0; i < k; i++)
        order[i] = i;
    unsigned int seed = 1;
    for (int round = -warmup; round < runs; round++) {
        /* Fisher-Yates with rand_r: the same sequence of orders on every run. */
        for (int i = k - 1; i > 0; i--) {
            int j = rand_r(&seed) % (i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int s = 0; s < k; s++) {
            struct cmd *c = &cmds[order[s]];
            snprintf(token, sizeof(token), "%d-%d-%d", (int)getpid(), round + warmup, s);
            double cpu = 0;
            double us = run_once(c, token, &cpu);
            if (round < 0)
                continue;
            if (rawf)
                fprintf(rawf, "%d,%s,%.1f,%d\n", round, c->label, us < 0 ? 0 : us, us >= 0);
            if (us < 0)
                c->fails++;
            else {
                c->cpu[c->n] = cpu;
                c->us[c->n++] = us;
            }
        }
    }
    if (rawf)
        fclose(rawf);
    for (int i = 0; i < k; i++) {
        struct cmd *c = &cmds[i];
        qsort(c->us, (size_t)c->n, sizeof(double), cmp_double);
        qsort(c->cpu, (size_t)c->n, sizeof(double), cmp_double);
        printf("%s %d %d %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f\n", c->label, c->n, c->fails,
               quantile(c->us, c->n, 0.5), quantile(c->us, c->n, 0.1), quantile(c->us, c->n, 0.9),
               quantile(c->us, c->n, 0.25), quantile(c->us, c->n, 0.75), c->n ? c->us[0] : 0,
               c->n ? c->us[c->n - 1] : 0, quantile(c->cpu, c->n, 0.5));
    }
    return 0;
}
