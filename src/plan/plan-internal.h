/*
 * The parts of plan_build, one file each: the mounts (mounts.c) and what a
 * root command may do (security.c). Not for the engine.
 */
#pragma once

#include "plan/plan.h"
#include "profile/diag.h"
#include "profile/profile.h"

/* Every mount after the overlay, in the order the engine makes them. */
int plan_mounts_build(const struct profile *p, struct run_plan *plan, struct diags *d);
void plan_mount_clear(struct plan_mount *m);

/* Capabilities, rlimits and the compiled seccomp filter. */
int plan_security_build(const struct profile *p, struct run_plan *plan, struct diags *d);
/* The seccomp rules or policy a plan keeps for --print-plan. */
void plan_seccomp_free(struct run_plan *plan);

/* "FILE:LINE" of a value, or "built-in" for a default; caller frees. */
char *plan_origin_text(const struct origin *o);
