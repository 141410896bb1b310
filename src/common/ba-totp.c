/* ba-totp.c: to be written */
