"""Pure term extraction from aligned segments. No Flask, no SQLAlchemy."""
