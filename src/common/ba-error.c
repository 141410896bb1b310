/* ba-error.c: to be written */
