"""The worker runtime shared by all services: queue consumption, lifecycle, logging."""
