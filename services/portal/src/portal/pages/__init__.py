"""One module per page group; each handler reads its inputs, calls meshcore.actions, renders."""
