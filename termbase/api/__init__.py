"""The JSON API for CAT-tool plug-ins and scripts, mounted at ``/api/v1``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__)

# Importing the view modules registers their operations on ``bp``.
from termbase.api import concepts, export, meta, recognize, search  # noqa: E402,F401
