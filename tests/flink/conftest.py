"""Fixtures of the Flink test bed: the integration suite's (flinkbed loads its conftest as
`jvmtap_it`)."""
from flinkbed import it

tracefs = it.tracefs
jvmtap_factory = it.jvmtap_factory
