"""Whole-database tasks above every area: backup and restore, the demo organisation."""
