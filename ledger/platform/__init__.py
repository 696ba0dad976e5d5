"""What every area uses and no area owns: the database base and clock, crypto, files at
rest, free text, the unit of work, untrusted JSON, the garbage collector.  No Flask."""
