"""Creating meshcore's AWS resources, idempotently (used by meshctl)."""
