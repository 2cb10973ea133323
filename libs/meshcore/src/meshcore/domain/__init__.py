"""The pure domain: no AWS, no I/O."""
