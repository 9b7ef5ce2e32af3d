/*
 * forkbomb: the classic one, for tests/reliability/faults.sh. Every process
 * forks for ever and retries when fork fails, so the container stays at its
 * limits.pids with every process spinning. Built static, it runs from a
 * layer in the busybox root. Its arguments are ignored: faults.sh passes a
 * marker, which every copy carries in its command line.
 */
#include <unistd.h>

int main(void)
{
    for (;;)
        fork();
}
