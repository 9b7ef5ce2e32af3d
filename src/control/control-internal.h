/* What the control commands share. */
#pragma once

#include "state/state.h"

/* The live container ref names (id, id prefix or name), or the exit status with the reason printed. */
int control_find(const char *ref, struct state_entry *s);
