"""WSGI entry point: ``gunicorn wsgi:app``."""

from termbase.app import create_app

app = create_app()
