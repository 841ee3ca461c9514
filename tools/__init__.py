"""Clients of the back-office systems (BOSS, AAA, PON, coverage, ticketing) and the LangChain tools over them."""
