/*
 * Inside src/oci/: a plan's seccomp filter as config.json's linux.seccomp,
 * for export.c.
 */
#pragma once

#include <jansson.h>

#include "plan/plan.h"
#include "profile/diag.h"

/*
 * The OCI policy the profile gave, as it is; or congo's deny-list as one.
 * NULL when the plan has no filter (seccomp: unconfined). What OCI cannot
 * say is an error in d, at the seccomp key.
 */
json_t *oci_export_seccomp(const struct run_plan *plan, struct diags *d);
