"""DDL that several migrations write, frozen per version: a migration imports the version it
was written with, and a change goes into a new module, so history never changes."""
