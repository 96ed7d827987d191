"""Use cases. Each function takes a session first, may flush, and never commits."""
