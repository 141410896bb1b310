/* ba-account.c: to be written */
