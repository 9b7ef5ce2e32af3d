/*
 * killer: start a command, SIGKILL it after a delay, and wait for every
 * process it left to be gone. For tests/reliability/faults.sh.
 *
 *     killer DELAY_US TIMEOUT_MS COMMAND [ARG...]
 *
 * killer makes itself a child subreaper, so whatever the command leaves
 * behind when it dies (its container's init, a process that escaped the
 * PID namespace) is re-parented to killer rather than to the host's init:
 * "no descendant left" is then exactly "waitpid(-1) says ECHILD". Prints one
 * line, `pid=PID exited_early=0|1 status=S gone_us=N`, and exits 0 when
 * everything was gone within TIMEOUT_MS of the kill; else it lists what was
 * left, SIGKILLs it (only processes that are its own children), reaps it and
 * exits 1. Exits 2 on a usage or system error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_us(long long us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Our children that are still there (alive or zombie), printed and SIGKILLed. */
static void kill_leftovers(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *de;
    pid_t self = getpid();
    while ((de = readdir(d))) {
        char path[300], buf[512];
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        char state;
        int ppid;
        if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2 || ppid != self)
            continue;
        *p = '\0';
        fprintf(stderr, "killer: left behind: pid %s state %c (%s)\n", de->d_name, state,
                strchr(buf, '(') ? strchr(buf, '(') + 1 : "?");
        kill(atoi(de->d_name), SIGKILL);
    }
    closedir(d);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: killer DELAY_US TIMEOUT_MS COMMAND [ARG...]\n");
        return 2;
    }
    long long delay = atoll(argv[1]), timeout = atoll(argv[2]) * 1000;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
        perror("killer: PR_SET_CHILD_SUBREAPER");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("killer: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[3], argv + 3);
        perror("killer: exec");
        _exit(127);
    }
    sleep_us(delay);
    int status, early = 0;
    /* A command that ended by itself (a fast failure) is still checked for leftovers. */
    if (waitpid(pid, &status, WNOHANG) == pid) {
        early = 1;
    } else {
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    long long killed = now_us(), gone = -1;
    for (;;) {
        pid_t r = waitpid(-1, NULL, WNOHANG);
        if (r < 0 && errno == ECHILD) {
            gone = now_us() - killed;
            break;
        }
        if (r > 0)
            continue;
        if (now_us() - killed > timeout)
            break;
        sleep_us(1000);
    }
    int st = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    printf("pid=%d exited_early=%d status=%d gone_us=%lld\n", (int)pid, early, st, gone);
    fflush(stdout);
    if (gone >= 0)
        return 0;
    kill_leftovers();
    return 1;
}
