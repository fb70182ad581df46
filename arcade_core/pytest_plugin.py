"""pytest plugin (entry point `pytest11: arcade`): the conformance suite for any game.

A third-party game proves itself with one file:

    # test_conformance.py
    from arcade_core.testing import conformance
    test_conformance = conformance("PongEasy")          # one test per check

or with the marker, on a test that receives the report:

    @pytest.mark.arcade_conformance("PongEasy", "PongHard")
    def test_pong(arcade_report): ...

Importing this module imports no JAX; the suite loads when a test runs.
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "arcade_conformance(*env_ids, obs_sizes=(128,)): run arcade's conformance suite on the "
        "env ids; the test receives the reports through the `arcade_report` fixture",
    )


@pytest.fixture
def arcade_report(request: pytest.FixtureRequest) -> list[Any]:
    """Conformance reports for the env ids of the test's `arcade_conformance` marker; the test
    fails (with every failing check listed) if any env does not conform."""
    marker = request.node.get_closest_marker("arcade_conformance")
    if marker is None or not marker.args:
        pytest.fail("arcade_report needs @pytest.mark.arcade_conformance('EnvId', ...)")
    from arcade_core.testing import check_env

    sizes = tuple(marker.kwargs.get("obs_sizes", (128,)))
    reports = [check_env(e, obs_sizes=sizes, raise_on_failure=False) for e in marker.args]
    failed = [r for r in reports if not r.ok]
    if failed:
        pytest.fail("\n".join(r.summary() for r in failed), pytrace=False)
    return reports
