"""Every message on every meshcore queue, as versioned pydantic models."""
