"""Pure file readers: documents and glossaries to records. No Flask, no SQLAlchemy."""
