#!/bin/sh
# The seed's positional form, word for word, and the exit statuses a caller sees.
. "$(dirname "$0")/lib.sh"

plan 6

positional_word_for_word() {
    mkdir -p "$WORK/src" "$WORK/l1/etc" "$WORK/l2/etc"
    echo from-src >"$WORK/src/file"
    out=$(cd "$WORK" && "$CONGO" run "$ROOTFS" 100 512m 1024 KEY=VALUE,FOO=BAR \
        --mount "$WORK/src:/dst:ro" --layers l1,l2 --user nobody -- /bin/sh -c 'echo $KEY; cat /dst/file; id -un')
    expect_eq "VALUE
from-src
nobody" "$out"
}
t "the seed's positional command runs word for word" positional_word_for_word

t "the command's own status comes back (42)" expect_status 42 ctr -- /bin/sh -c 'exit 42'
t "a command killed by SIGTERM gives 128+15" expect_status 143 ctr -- /bin/sh -c 'kill -TERM $$'
t "a missing command gives 127" expect_status 127 ctr -- /no/such/command
t "a command that cannot be executed gives 126" expect_status 126 ctr -- /etc/passwd
t "a launcher failure gives 125" expect_status 125 "$CONGO" run "$WORK/no-such-root" - - - - -- /bin/true

finish
