/* ba-session.c: to be written */
