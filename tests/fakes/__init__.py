"""In-memory fakes of meshcore's ports (`meshcore.aws.ports`), one module per port.

Each behaves as its adapter does against AWS, as far as handlers can tell: `tests/contract/`
runs the same tests against the fake and against the adapter on the embedded AWS. Setting a
fake up (a registered location, a pending share) goes through its own helper methods, which
stand for what an operator or another account does outside the port.
"""
