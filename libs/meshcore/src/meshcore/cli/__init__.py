"""meshctl: the command line for operators, producers and consumers."""
