"""The HTTP entry point: thin routers over the services."""

from scamintel.api.app import create_app

__all__ = ["create_app"]
