/* ba-base32.c: to be written */
