/* ba-password-policy.c: to be written */
