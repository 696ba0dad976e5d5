"""Letters to prisoners: where to write (the address built from the current facility), the
services that carry letters and what they charge, and the letters sent (docs/architecture.md)."""
