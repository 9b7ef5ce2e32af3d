/*
 * euid: print the effective uid and the effective capability set, as
 * "EUID CAPEFF". hardening.sh installs a copy setuid-root in a layer: with
 * no_new_privileges it must print the caller's uid and no capability.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char line[256], eff[64] = "?";
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "CapEff: %63s", eff) == 1)
            break;
    printf("%u %s\n", (unsigned)geteuid(), eff);
    return 0;
}
