/* ba-identity.c: to be written */
