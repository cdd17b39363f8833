"""Server-rendered pages for citizens and analysts (Jinja2, nine languages, no JavaScript
needed); a thin entry point over the same services as the API. ``setup.install_web`` puts
them on an app."""
