#!/bin/sh
# The hooks key as a profile says it, in YAML and libconfig, on the command
# line and in config.json: every mistake refused before anything runs, at
# its file, line (or JSON pointer) and key, with status 1; the layers
# appended stage by stage; --print, --print-cli and --print-plan; the OCI
# export and import. Nothing here starts a container.
. "$(dirname "$0")/lib.sh"

plan 8

stages() {
    both stage "rootfs: /r
hooks:
  createRuntime: [/bin/true]
  poststrat: [/bin/true]
" 'rootfs = "/r";
hooks = {
  post_stop = ( { path = "/bin/true"; } );
};
' "%s:3:3: error: hooks.createRuntime: unknown hook stage; did you mean \`create_runtime\`?
%s:4:3: error: hooks.poststrat: unknown hook stage; did you mean \`poststart\`?" \
        "%s:3: error: hooks.post_stop: unknown hook stage; did you mean \`poststop\`?"
}
t "an unknown stage, OCI's camelCase named in the profile's spelling" stages

fields() {
    both field "rootfs: /r
hooks:
  prestart:
    - path: /bin/true
      arg: [x]
    - args: [x]
    - {path: /bin/true, args: []}
" 'rootfs = "/r";
hooks = {
  poststop = ( { path = "/bin/true"; timeot = 3; }, { env = [ "A=1" ]; } );
};
' "%s:5:7: error: hooks.prestart[0].arg: unknown hook field; did you mean \`args\`?
%s:6:7: error: hooks.prestart[1]: a hook needs a path: the program to run
%s:7:7: error: hooks.prestart[2]: args is empty: its first item is the program's argv[0]; leave args out for the path alone" \
        "%s:3: error: hooks.poststop[0].timeot: unknown hook field; did you mean \`timeout\`?
%s:3: error: hooks.poststop[1]: a hook needs a path: the program to run"
}
t "unknown fields, a hook without a path, an empty args" fields

values() {
    both value "rootfs: /r
hooks:
  poststart:
    - {path: /bin/true, env: [A=1, \"1A=2\", B], timeout: 0}
  start_container: [bin/start]
  poststop: {path: /bin/true}
" 'rootfs = "/r";
hooks = {
  prestart = ( { path = "/bin/true"; timeout = "2 days"; } );
  create_runtime = "/bin/true";
};
' "%s:4:36: error: hooks.poststart[0].env[1]: \`1A=2\` is not KEY=VALUE with KEY of letters, digits and _, not starting with a digit
%s:4:44: error: hooks.poststart[0].env[2]: \`B\` is not KEY=VALUE with KEY of letters, digits and _, not starting with a digit
%s:4:57: error: hooks.poststart[0].timeout: \`0\` is not a hook's timeout: seconds (10, 10s, 1.5s, 500ms), above 0 and at most a day
%s:5:21: error: hooks.start_container[0]: \`bin/start\` is not an absolute path
%s:6:13: error: hooks.poststop: expected a list of hooks for poststop, got a map" \
        "%s:3: error: hooks.prestart[0].timeout: \`2 days\` is not a hook's timeout: seconds (10, 10s, 1.5s, 500ms), above 0 and at most a day
%s:4: error: hooks.create_runtime: expected a list of hooks for create_runtime, got a value"
}
t "bad env entries, timeouts out of range, a relative start_container path, a stage not a list" values

# A base with a program per stage, a top that adds to two and empties one.
stacked() {
    mkdir -p "$WORK/st"
    cat >"$WORK/st/base.yaml" <<EOF
rootfs: /r
hooks:
  prestart: [/usr/bin/a]
  poststop: [./cleanup.sh]
  poststart: [/usr/bin/p]
EOF
    cat >"$WORK/st/top.conf" <<EOF
include = "base.yaml";
reset = [ "hooks.poststart" ];
hooks = {
  poststop = ( { path = "/usr/bin/c"; args = [ "c", "x, y" ]; env = [ ]; timeout = "1.5s"; } );
  prestart = ( "/usr/bin/b" );
};
EOF
    out=$("$CONGO" --print "$WORK/st/top.conf" | sed -n '/^hooks:/,$p') || return 1
    expect_eq "hooks:
  prestart:
    - /usr/bin/a
    - /usr/bin/b
  poststop:
    - $WORK/st/cleanup.sh
    - {path: /usr/bin/c, args: [c, \"x, y\"], env: [], timeout: 1.5s}" "$out" \
        "--print: appended by stage, relative to its file, one stage reset" || return 1
    # libconfig's form, and --print-cli's options, load back the same.
    "$CONGO" --print --format conf "$WORK/st/top.conf" >"$WORK/st/again.conf" || return 1
    expect_eq "$("$CONGO" --print "$WORK/st/top.conf")" \
        "$("$CONGO" --print "$WORK/st/again.conf" | sed 's/^name: again$/name: top/')" \
        "--print of --print --format conf" || return 1
    cli=$("$CONGO" --print-cli "$WORK/st/top.conf") || return 1
    expect_eq "congo-launch run /r - - - - --name top --hook stage=prestart,path=/usr/bin/a --hook stage=prestart,path=/usr/bin/b --hook stage=poststop,path=$WORK/st/cleanup.sh --hook 'stage=poststop,path=/usr/bin/c,arg=c,arg=x\\, y,env=,timeout=1.5s'" \
        "$cli" "--print-cli" || return 1
    eval "set -- ${cli#congo-launch }"
    expect_eq "$("$CONGO" --print "$WORK/st/top.conf" | sed -n '/^hooks:/,$p')" \
        "$("$CONGO" --print "$@" | sed -n '/^hooks:/,$p')" "--print of --print-cli's command line"
}
t "stacking appends by stage; reset: [hooks.STAGE]; --print, conf and --print-cli round trips" stacked

cli_errors() {
    out=$("$CONGO" --check run /r - - - - --hook path=/bin/true -- /bin/true 2>&1)
    expect_eq 1 $? "status without a stage" || return 1
    expect_eq "<command line>: error: hooks: --hook value names no stage: stage=STAGE,path=PATH,..." \
        "$out" || return 1
    out=$("$CONGO" --check run /r - - - - --hook stage=prestart,pth=/bin/true -- /bin/true 2>&1)
    expect_eq 1 $? "status with an unknown field" || return 1
    expect_eq "<command line>: error: hooks: unknown field \`pth\` in --hook value (stage, path, arg, env, timeout); did you mean \`path\`?" \
        "$out"
}
t "--hook: a value without a stage, an unknown field, with a suggestion" cli_errors

print_plan() {
    p=$(profile plan.yaml <<EOF
rootfs: /r
command: [/bin/true]
hooks:
  start_container: [{path: /bin/ready, env: [], timeout: 500ms}]
  create_runtime: [{path: /usr/bin/net, args: [net, up]}]
EOF
)
    out=$("$CONGO" --print-plan "$p" | sed -n '/^hooks/,/^annotations/p') || return 1
    expect_eq "hooks, each with the container's state (OCI's JSON) on its stdin:
  create_runtime, by the launcher on the host, after prestart's:
    /usr/bin/net as net up
  start_container, in the container as its user, right before the command:
    /bin/ready as /bin/ready; env: none; killed after 500ms
annotations: none" "$out" "--print-plan"
}
t "--print-plan: each stage's programs, where they run, argv, env and timeout" print_plan

export_oci() {
    p=$(profile export.yaml <<EOF
rootfs: $ROOTFS
readonly_rootfs: true
init: false
command: [/bin/true]
hooks:
  poststop: [{path: /bin/c, args: [c, x], env: [A=1], timeout: 3}]
  prestart: [/bin/a]
EOF
)
    out=$("$CONGO" --print --format oci "$p" 2>/dev/null |
        python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["hooks"], sort_keys=True))') ||
        return 1
    expect_eq '{"poststop": [{"args": ["c", "x"], "env": ["A=1"], "path": "/bin/c", "timeout": 3}], "prestart": [{"path": "/bin/a"}]}' \
        "$out" "config.json's hooks" || return 1
    sed 's/timeout: 3/timeout: 2.5s/' "$p" >"$WORK/half.yaml"
    out=$("$CONGO" --print --format oci "$WORK/half.yaml" 2>&1)
    expect_eq 1 $? "status of an export with a timeout in ms" || return 1
    expect_eq "$WORK/half.yaml:6: error: hooks.poststop[0]: a timeout of 2500 ms: config.json's timeout is whole seconds; write 3s" \
        "$(echo "$out" | grep error)"
}
t "the OCI export: camelCase stages, args, env, seconds; a timeout of 2.5s refused" export_oci

import_oci() {
    mkdir -p "$WORK/b"
    cat >"$WORK/b/config.json" <<EOF
{"ociVersion": "1.0.2", "root": {"path": "/r"}, "linux": {"namespaces": [{"type": "mount"}]},
 "process": {"args": ["/bin/true"], "cwd": "/", "user": {"uid": 0, "gid": 0}},
 "mounts": [{"destination": "/proc", "type": "proc"}, {"destination": "/dev", "type": "tmpfs"}],
 "hooks": {"createContainer": [{"path": "/bin/cc", "args": ["cc", "1"], "timeout": 5}],
           "prestart": [{"path": "/bin/p", "env": ["A=1"]}], "poststop": []}}
EOF
    out=$("$CONGO" --print "$WORK/b/config.json" | sed -n '/^hooks:/,$p') || return 1
    expect_eq "hooks:
  prestart:
    - {path: /bin/p, env: [A=1]}
  create_container:
    - {path: /bin/cc, args: [cc, 1], timeout: 5s}" "$out" "the profile of config.json's hooks" ||
        return 1
    python3 - "$WORK/b/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["hooks"] = {"prestart": [{"path": "bin/p"}, {"args": ["x"]}],
              "poststart": [{"path": "/x", "timeout": 0, "env": ["1=2"]}],
              "startcontainer": [], "createRuntime": {"path": "/x"}}
json.dump(c, open(sys.argv[1], "w"))
EOF
    out=$("$CONGO" --check "$WORK/b/config.json" 2>&1)
    expect_eq 1 $? "status of --check with bad hooks" || return 1
    f=$WORK/b/config.json
    expect_eq "$f: error: /hooks/prestart/0/path: \`bin/p\` is not an absolute path (the runtime-spec asks for one)
$f: error: /hooks/prestart/1: \`path\` is missing: the hook's program, an absolute path
$f: error: /hooks/createRuntime: expected an array, got an object
$f: error: /hooks/poststart/0/env/0: \`1=2\` is not KEY=VALUE with KEY of letters, digits and _, not starting with a digit
$f: error: /hooks/poststart/0/timeout: \`0\` is not a hook's timeout: seconds (10, 10s, 1.5s, 500ms), above 0 and at most a day" \
        "$(echo "$out" | grep error)"
}
t "config.json's hooks: imported as the key; each mistake at its JSON pointer" import_oci

finish
