"""Adapters: the only place that talks to AWS. They raise meshcore.domain.errors, never botocore's."""
