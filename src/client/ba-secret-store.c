/* ba-secret-store.c: to be written */
