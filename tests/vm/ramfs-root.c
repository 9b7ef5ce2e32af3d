/*
 * ramfs-root CMD...: CMD run with the first mount of a mount namespace of
 * its own as its root: the initial ramfs, which a system that runs from its
 * initramfs has as `/`, and which pivot_root cannot leave (it has no parent
 * mount). The VM's tree is seen there as it was: each top-level directory
 * is a directory of the ramfs with the VM's bound on it, each symlink is
 * copied. Writes into the ramfs: for the throwaway VM only (vm-run.sh).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static void die(const char *what)
{
    fprintf(stderr, "ramfs-root: %s: %s\n", what, strerror(errno));
    exit(125);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ramfs-root CMD...\n");
        return 125;
    }
    if (unshare(CLONE_NEWNS) < 0)
        die("unshare");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die("make / private");
    int host = (int)syscall(SYS_open_tree, AT_FDCWD, "/",
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    int self = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (host < 0 || self < 0)
        die("copy the host's tree");
    /* The top-level entries, before they go out of sight. */
    char *names[256], *links[256];
    size_t n = 0;
    DIR *d = opendir("/");
    if (!d)
        die("opendir /");
    for (struct dirent *de; (de = readdir(d)) && n < 256;) {
        if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_LNK))
            continue;
        char path[PATH_MAX], target[PATH_MAX];
        snprintf(path, sizeof(path), "/%s", de->d_name);
        ssize_t len = de->d_type == DT_LNK ? readlink(path, target, sizeof(target) - 1) : -1;
        target[len > 0 ? len : 0] = '\0';
        names[n] = strdup(de->d_name);
        links[n++] = len > 0 ? strdup(target) : NULL;
    }
    closedir(d);
    /* The root detached, the namespace's root is the ramfs under it. */
    if (umount2("/", MNT_DETACH) < 0)
        die("detach /");
    if (setns(self, CLONE_NEWNS) < 0)
        die("setns");
    if (chdir("/") < 0)
        die("chdir /");
    if (mkdir("/.vm", 0700) < 0 && errno != EEXIST)
        die("mkdir /.vm");
    if (syscall(SYS_move_mount, host, "", AT_FDCWD, "/.vm", MOVE_MOUNT_F_EMPTY_PATH) < 0)
        die("attach the VM's tree at /.vm");
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX], from[PATH_MAX];
        snprintf(path, sizeof(path), "/%s", names[i]);
        snprintf(from, sizeof(from), "/.vm/%s", names[i]);
        if (links[i]) {
            if (symlink(links[i], path) < 0 && errno != EEXIST)
                die(path);
            continue;
        }
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            die(path);
        if (mount(from, path, NULL, MS_BIND | MS_REC, NULL) < 0)
            die(path);
    }
    if (umount2("/.vm", MNT_DETACH) < 0)
        die("detach /.vm");
    execvp(argv[1], argv + 1);
    die(argv[1]);
}
