/* The command's own terminal; see terminal.h. */
#include "runtime/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime/sync.h"
#include "util/util.h"

void terminal_prepare(struct terminal *t)
{
    t->master = -1;
    if (!isatty(STDIN_FILENO))
        return;
    t->wanted = true;
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &t->winsize) < 0)
        t->winsize = (struct winsize){.ws_row = 24, .ws_col = 80};
    if (tcgetattr(STDIN_FILENO, &t->saved) == 0) {
        struct termios raw = t->saved;
        cfmakeraw(&raw);
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
            t->raw = true;
    }
}

void terminal_close(struct terminal *t)
{
    if (t->raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
    if (t->master >= 0)
        close(t->master);
    t->master = -1;
    t->raw = false;
}

bool terminal_copy(int from, int to)
{
    char buf[4096];
    ssize_t n = read(from, buf, sizeof(buf));
    if (n <= 0)
        return false;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return true; /* the reader is gone; keep draining the pty */
        }
        off += w;
    }
    return true;
}

/*
 * The master goes to the parent over the sync socket, which relays it to
 * the caller's terminal. Runs privileged in the child, after the root is
 * assembled (or joined, for --exec) and before the user switch. The root
 * may be the container's to shape by now (--exec): /dev/ptmx is resolved
 * inside it without magic links, and the terminal is the master's peer
 * (TIOCGPTPEER), never a path in /dev/pts someone could have replaced.
 */
int terminal_open_in_child(int sock, const struct winsize *ws, uid_t uid, struct congo_error *e)
{
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct open_how how = {
        .flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    _cleanup_close_ int master =
        root < 0 ? -1 : (int)syscall(SYS_openat2, root, "dev/ptmx", &how, sizeof(how));
    if (master < 0 || unlockpt(master) < 0)
        return error_set(e, errno, "open /dev/ptmx in the container");
    ioctl(master, TIOCSWINSZ, ws);
    _cleanup_close_ int tty = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty < 0)
        return error_set(e, errno, "open the terminal of /dev/ptmx");
    if (ioctl(tty, TIOCSCTTY, 0) < 0)
        return error_set(e, errno, "make the container's terminal the controlling terminal");
    /* The user owns its terminal, as after a login. */
    if (fchown(tty, uid, (gid_t)-1) < 0)
        return error_set(e, errno, "chown the container's terminal");
    for (int fd = 0; fd < 3; fd++)
        if (dup2(tty, fd) < 0)
            return error_set(e, errno, "dup2 the terminal");
    if (sync_send_fds(sock, SYNC_PTY, &master, 1) < 0)
        return error_set(e, errno, "send the terminal to the launcher");
    return 0;
}
