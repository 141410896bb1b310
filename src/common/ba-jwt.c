/* ba-jwt.c: to be written */
