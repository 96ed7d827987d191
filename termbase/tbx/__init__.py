"""Pure TBX (ISO 30042) reading and writing with lxml. No Flask, no SQLAlchemy."""
