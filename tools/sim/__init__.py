"""The back-office simulator: a seeded SQLite database, its clients and its HTTP server."""
