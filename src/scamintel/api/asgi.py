"""Factory for ASGI servers (``uvicorn --factory scamintel.api.asgi:app_from_environment``)."""

from __future__ import annotations

from fastapi import FastAPI

from scamintel.api.app import create_app
from scamintel.settings import Settings


def app_from_environment() -> FastAPI:
    return create_app(Settings())
