/*
 * The device cgroup: which device nodes a container may open or make. v1
 * writes its allow list to the devices controller (cgroup-v1.c); v2 has no
 * such files, only a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
 * cgroup, which this file assembles from the same list, as crun and runc
 * do: allow what a rule matches, deny all else.
 */
#include "runtime/cgroup-devices.h"

#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/util.h"

struct dev_rule *cgroup_device_rules(const struct cgroup_request *req, size_t *n,
                                     const char ***keys)
{
    *n = 0;
    if (keys)
        *keys = NULL;
    if (!req->n_devices)
        return NULL;
    struct dev_rule *out = xcalloc(req->n_devices, sizeof(*out));
    if (keys)
        *keys = xcalloc(req->n_devices, sizeof(**keys));
    for (size_t i = 0; i < req->n_devices; i++) {
        const struct plan_device *d = &req->devices[i];
        struct dev_rule r = d->rule;
        if (d->node) {
            struct stat st;
            /* The preflight refused a node that is not one: gone since, it allows nothing. */
            if (stat(d->node, &st) < 0 || (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)))
                continue;
            r.type = S_ISCHR(st.st_mode) ? 'c' : 'b';
            r.major = major(st.st_rdev);
            r.minor = minor(st.st_rdev);
        }
        if (keys)
            (*keys)[*n] = d->key ? d->key : "devices";
        out[(*n)++] = r;
    }
    return out;
}

/* ---- the v2 program ---- */

/* What the kernel's BPF_* instruction macros say, for the few this program uses. */
static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_W | BPF_MEM, dst, src, off, 0)
#define MOV64_REG(dst, src) insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND32_IMM(dst, imm) insn(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH32_IMM(dst, imm) insn(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm)
/* A 32-bit compare: majors and minors are u32, which a 64-bit one would sign-extend. */
#define JNE32_IMM(dst, imm, off) insn(BPF_JMP32 | BPF_JNE | BPF_K, dst, 0, off, imm)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers: the context, then what is read from it. */
enum { R0, R_CTX, R_ACCESS, R_TYPE, R_MAJOR, R_MINOR, R_TMP };

/*
 * The program: read struct bpf_cgroup_dev_ctx's access_type (the device's
 * type in its low 16 bits, the access asked for in its high ones), major
 * and minor; then a block per rule, which returns 1 (allow) when every
 * field it names matches, and jumps to the next block at the first that
 * does not; 0 (deny) after the last. Fills prog (room for
 * CGROUP_DEVICE_PROGRAM_MAX(n) instructions) and returns the count.
 */
size_t cgroup_device_program(const struct dev_rule *rules, size_t n, struct bpf_insn *prog)
{
    size_t k = 0;
    prog[k++] = LDX_W(R_ACCESS, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, access_type));
    prog[k++] = MOV64_REG(R_TYPE, R_ACCESS);
    prog[k++] = AND32_IMM(R_TYPE, 0xffff);
    prog[k++] = RSH32_IMM(R_ACCESS, 16);
    prog[k++] = LDX_W(R_MAJOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, major));
    prog[k++] = LDX_W(R_MINOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, minor));
    for (size_t i = 0; i < n; i++) {
        const struct dev_rule *r = &rules[i];
        size_t jumps[4];
        size_t n_jumps = 0;
        if (r->type != 'a') {
            jumps[n_jumps++] = k;
            prog[k++] =
                JNE32_IMM(R_TYPE, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
        }
        if (r->access != DEV_RWM) {
            /* Asked for anything the rule does not give: not this rule. */
            prog[k++] = MOV64_REG(R_TMP, R_ACCESS);
            prog[k++] = AND32_IMM(R_TMP, (int32_t)(~r->access & DEV_RWM));
            jumps[n_jumps++] = k;
            prog[k++] = JNE32_IMM(R_TMP, 0, 0);
        }
        if (r->major != DEV_ANY) {
            jumps[n_jumps++] = k;
            prog[k++] = JNE32_IMM(R_MAJOR, (int32_t)r->major, 0);
        }
        if (r->minor != DEV_ANY) {
            jumps[n_jumps++] = k;
            prog[k++] = JNE32_IMM(R_MINOR, (int32_t)r->minor, 0);
        }
        prog[k++] = MOV64_IMM(R0, 1);
        prog[k++] = EXIT();
        /* A jump's offset counts from the instruction after it to the next block. */
        for (size_t j = 0; j < n_jumps; j++)
            prog[jumps[j]].off = (int16_t)(k - jumps[j] - 1);
    }
    prog[k++] = MOV64_IMM(R0, 0);
    prog[k++] = EXIT();
    return k;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
    return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int cgroup_device_attach(int cgroup_fd, const struct cgroup_request *req, struct congo_error *e)
{
    size_t n;
    _cleanup_free_ struct dev_rule *rules = cgroup_device_rules(req, &n, NULL);
    if (!req->n_devices)
        return 0;
    _cleanup_free_ struct bpf_insn *prog = xcalloc(CGROUP_DEVICE_PROGRAM_MAX(n), sizeof(*prog));
    size_t len = cgroup_device_program(rules, n, prog);
    union bpf_attr load = {0};
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = (uint64_t)(uintptr_t)prog;
    load.insn_cnt = (uint32_t)len;
    load.license = (uint64_t)(uintptr_t) "MIT";
    _cleanup_close_ int fd = sys_bpf(BPF_PROG_LOAD, &load);
    /*
     * Refused: again with the verifier's log, for its words. Not the first
     * time: at level 1 it logs every instruction, and a log too small for
     * that fails the load itself (ENOSPC).
     */
    char log[65536] = "";
    if (fd < 0 && errno != EPERM) {
        load.log_buf = (uint64_t)(uintptr_t)log;
        load.log_size = sizeof(log);
        load.log_level = 1;
        fd = sys_bpf(BPF_PROG_LOAD, &load);
    }
    if (fd < 0) {
        /* The verifier's words, if it said any: its last line says why. */
        size_t l = strlen(log);
        while (l && log[l - 1] == '\n')
            log[--l] = '\0';
        const char *last = strrchr(log, '\n');
        return error_set(e, errno, "devices, device_rules: load the device cgroup's program%s%s%s",
                         *log ? " (" : "", *log ? (last ? last + 1 : log) : "", *log ? ")" : "");
    }
    union bpf_attr attach = {0};
    attach.target_fd = (uint32_t)cgroup_fd;
    attach.attach_bpf_fd = (uint32_t)fd;
    attach.attach_type = BPF_CGROUP_DEVICE;
    /* Beside the ancestors' programs, which still deny what they deny. */
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    if (sys_bpf(BPF_PROG_ATTACH, &attach) < 0)
        return error_set(e, errno, "devices, device_rules: attach the device cgroup's program");
    return 0;
}
