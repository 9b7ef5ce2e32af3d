/*
 * probe: make one dangerous system call per argument and print, one line
 * each, the argument and the errno name the kernel answered, or `ok` when
 * the call went through. hardening.sh runs it inside containers and compares
 * the answers under the default seccomp filter and `unconfined`.
 *
 * Every call is shaped so that, let through, it changes nothing outside the
 * container: kexec_load gets flags no kernel accepts, the mount is a tmpfs in
 * the container's own mount namespace, the keyring lookup creates nothing,
 * the namespaces made are the probe's own, and TIOCSTI pushes a `#`.
 *
 *   keyctl              keyctl(KEYCTL_GET_KEYRING_ID, session keyring, 0)
 *   kexec_load          kexec_load(0, 0, NULL, an undefined flag)
 *   open_by_handle_at   the "shocker" open of inode 2 through the root's fd
 *   mount:DIR           mount a tmpfs on DIR
 *   umount:DIR          umount2(DIR, MNT_DETACH)
 *   unshare             unshare(CLONE_NEWUSER)
 *   clone_newns         clone(CLONE_NEWNS | SIGCHLD)
 *   tiocsti:FD|PATH     ioctl(FD, TIOCSTI, "#")
 *   tiocsti_hi:FD|PATH  the same with bit 32 of the request set: the kernel
 *                       reads the request as 32 bits, a filter must too
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
    int err;
    const char *name;
} errnos[] = {
    {EPERM, "EPERM"},     {ENOENT, "ENOENT"}, {EBADF, "EBADF"},
    {EACCES, "EACCES"},   {EINVAL, "EINVAL"}, {ENOTTY, "ENOTTY"},
    {ENOSYS, "ENOSYS"},   {ESTALE, "ESTALE"}, {EOPNOTSUPP, "EOPNOTSUPP"},
    {ENOTDIR, "ENOTDIR"}, {EBUSY, "EBUSY"},   {ENOMEM, "ENOMEM"},
    {ELOOP, "ELOOP"},     {EROFS, "EROFS"},   {ENODEV, "ENODEV"},
    {ENXIO, "ENXIO"},     {EIO, "EIO"},       {EXDEV, "EXDEV"},
};

/* The errno's name; other values as errno-N. */
static const char *errname(int err)
{
    static char buf[8][32];
    static int next;
    for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
        if (errnos[i].err == err)
            return errnos[i].name;
    next = (next + 1) % 8;
    snprintf(buf[next], sizeof(buf[next]), "errno-%d", err);
    return buf[next];
}

/* A number is a file descriptor; anything else a path, opened for reading. */
static int fd_of(const char *arg)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (*arg && !*end)
        return (int)n;
    return open(arg, O_RDONLY | O_NOCTTY);
}

static long probe(const char *name, const char *arg)
{
    if (!strcmp(name, "keyctl"))
        return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
    if (!strcmp(name, "kexec_load"))
        return syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0x8000UL);
    if (!strcmp(name, "open_by_handle_at")) {
        struct {
            unsigned int bytes;
            int type;
            unsigned int ino, gen;
        } h = {8, 1 /* FILEID_INO32_GEN */, 2, 0};
        int root = open("/", O_RDONLY | O_DIRECTORY);
        long r = syscall(SYS_open_by_handle_at, root, &h, O_RDONLY);
        int err = errno;
        if (r >= 0)
            close((int)r);
        close(root);
        errno = err;
        return r;
    }
    if (!strcmp(name, "mount"))
        return mount("probe", arg ? arg : "/tmp", "tmpfs", 0, "size=1m");
    if (!strcmp(name, "umount"))
        return umount2(arg ? arg : "/tmp", MNT_DETACH);
    if (!strcmp(name, "unshare"))
        return unshare(CLONE_NEWUSER);
    if (!strcmp(name, "clone_newns")) {
        long pid = syscall(SYS_clone, (unsigned long)(CLONE_NEWNS | SIGCHLD), NULL, NULL, NULL, 0);
        if (pid == 0)
            _exit(0);
        if (pid > 0)
            waitpid((pid_t)pid, NULL, 0);
        return pid < 0 ? -1 : 0;
    }
    if (!strcmp(name, "tiocsti") || !strcmp(name, "tiocsti_hi")) {
        unsigned long req = TIOCSTI;
        if (!strcmp(name, "tiocsti_hi"))
            req |= 1UL << 32;
        int fd = fd_of(arg ? arg : "0");
        if (fd < 0)
            return -1;
        return syscall(SYS_ioctl, fd, req, "#");
    }
    fprintf(stderr, "probe: unknown call `%s`\n", name);
    exit(2);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char name[64];
        snprintf(name, sizeof(name), "%s", argv[i]);
        char *colon = strchr(name, ':');
        const char *arg = NULL;
        if (colon) {
            *colon = '\0';
            arg = argv[i] + (colon - name) + 1;
        }
        errno = 0;
        long r = probe(name, arg);
        printf("%s %s\n", argv[i], r < 0 ? errname(errno) : "ok");
        fflush(stdout);
    }
    return 0;
}
