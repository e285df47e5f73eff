"""The portal: server-rendered pages (Jinja2 + htmx) over the service layer."""
