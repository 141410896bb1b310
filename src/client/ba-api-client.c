/* ba-api-client.c: to be written */
