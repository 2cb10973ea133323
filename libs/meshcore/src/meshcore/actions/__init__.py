"""What people do through meshctl (and later the portal): request, decide, review."""
