/* ba-vault.c: to be written */
