"""Fixtures of the Flink test bed. The collector, scrape parsing and cgroup fixtures are the
integration suite's (tests/integration/conftest.py), loaded here as the module `jvmtap_it`."""
import importlib.util
import os
import sys

import pytest

_spec = importlib.util.spec_from_file_location(
    "jvmtap_it", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "integration", "conftest.py"))
jvmtap_it = importlib.util.module_from_spec(_spec)
sys.modules["jvmtap_it"] = jvmtap_it
_spec.loader.exec_module(jvmtap_it)

tracefs = jvmtap_it.tracefs
cgroups = jvmtap_it.cgroups
