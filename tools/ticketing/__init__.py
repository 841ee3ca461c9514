"""Ticketing: repair, complaint and fee-dispute tickets with a 48-hour handling commitment."""
