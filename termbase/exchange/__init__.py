"""Exchange: import, export and backup of the whole termbase, and their worker processes.

Use cases like :mod:`termbase.services`, taking a session and never committing, but apart
from them: they read and write in bulk (window rows, driver-level inserts, worker processes).
The services and the pure core never import this package (an import-linter contract).
"""
