/* What the control commands share. */
#pragma once

#include "state/state.h"

/* The live container ref names (id, id prefix or name), or the exit status with the reason printed. */
/*
 * The container ref names, in congo's state directory, or with oci_too in
 * congo-oci's too (an engine's container): 0, or the exit status, said.
 */
int control_find(const char *ref, struct state_entry *s, bool oci_too);
