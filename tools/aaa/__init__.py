"""AAA/Radius: data-function profile, authentication log and online sessions (mobile data and broadband)."""
