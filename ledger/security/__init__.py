"""Web-wide protections: security headers on every response, log hygiene."""
