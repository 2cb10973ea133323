"""The local meshcore stack on the embedded AWS: accounts, worker processes, the demo."""
