"""Scheduled jobs and the worker that runs them (``flask --app wsgi worker``): see
``registry.py`` to add a job, ``leases.py`` for how each runs once, docs/deploy.md."""
