/* ba-test-server.c: to be written */
