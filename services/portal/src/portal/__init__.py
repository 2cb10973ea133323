"""meshcore portal: the web application for people (meshctl stays the scripting interface)."""
