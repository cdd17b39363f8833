"""Server-rendered pages for citizens and analysts."""
