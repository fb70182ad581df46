"""The conformance suite on the built-in CartPole envs, and the suite itself: it passes a
good game, names what a broken one gets wrong, and works as a pytest plugin (pytester)."""

from __future__ import annotations

import pytest

from arcade_core.registry import registry
from arcade_core.testing import CHECKS, check_env, conformance

pytest_plugins = ["pytester"]

CARTPOLE = [f"{g}{d}" for g in ("CartPole", "NoisyCartPole") for d in ("Easy", "Medium", "Hard")]
# every built-in env: CartPole's six and each other game's Easy by default, the rest with --all
BUILTIN = [s.id for s in registry().specs.values() if s.package == "pomdp-arcade"]

for _env_id in BUILTIN:
    _test = conformance(_env_id)
    if _env_id not in CARTPOLE and not _env_id.endswith("Easy"):
        _test = pytest.mark.slow(_test)
    globals()[f"test_{_env_id}"] = _test


@pytest.fixture
def fake_games():
    import fakegame

    from arcade_core.plugins import register_plugin, unregister_plugin

    register_plugin(
        fakegame.Plugin(fakegame.game_spec(), fakegame.game_spec("Broken", "fakegame:Broken")),
        "fake",
    )
    yield
    unregister_plugin("fake")


def test_check_env_reports_each_failure_by_name(fake_games) -> None:
    good = check_env("DotEasy")
    assert good.ok and [r.name for r in good.results] == [f"{c}@128" for c in CHECKS]
    bad = check_env("BrokenEasy", raise_on_failure=False)
    failed = {r.name for r in bad.results if not r.ok}
    assert failed == {"returns@128", "pomdp_hides@128"}
    assert "outside the declared [0.0, 1.0]" in bad.summary()
    with pytest.raises(AssertionError, match="FAIL BrokenEasy"):
        check_env("BrokenEasy")


def test_a_plain_renderer_unlike_the_tuned_one_is_caught_with_where_it_differs() -> None:
    """Any plugin offering a plain renderer gets it checked pixel-equal to its tuned one, in
    both views and at both sizes; this one shows the dot in POMDP frames that hide it."""
    import fakegame

    from arcade_core.plugins import register_plugin, unregister_plugin

    leaky = fakegame.game_spec("Leaky", plain_renderer="fakegame:leaky_plain_draw")
    register_plugin(fakegame.Plugin(leaky), "leaky")
    try:
        report = check_env("LeakyEasy", checks=("plain_renderer",), raise_on_failure=False)
    finally:
        unregister_plugin("leaky")
    (result,) = report.results
    assert not result.ok and result.name == "plain_renderer@128"
    assert "differ: MDP" not in result.detail and "; MDP" not in result.detail  # MDP agrees
    for size in (128, 256):
        assert f"POMDP at {size} px:" in result.detail
    assert "tuned (40, 40, 40), plain (255, 0, 0)" in result.detail


def test_unknown_env_is_reported_with_suggestions() -> None:
    with pytest.raises(ValueError, match="Did you mean: CartPoleEasy"):
        check_env("CartPoleEazy")


def test_pytest_plugin_one_line_file_and_marker(pytester: pytest.Pytester, fake_games) -> None:
    """What a third-party game's test file looks like, run by pytest itself."""
    pytester.makepyfile(
        test_third_party="""
        import pytest
        from arcade_core.testing import conformance

        test_dot = conformance("DotEasy")
        test_broken = conformance("BrokenEasy")

        @pytest.mark.arcade_conformance("DotEasy")
        def test_marker(arcade_report):
            assert arcade_report[0].ok
        """
    )
    result = pytester.runpytest_inprocess("-q")  # the plugin loads through its pytest11 entry point
    n = len(CHECKS)
    result.assert_outcomes(passed=n + n - 2 + 1, failed=2)
    result.stdout.fnmatch_lines(["*BrokenEasy-returns-128*", "*BrokenEasy-pomdp_hides-128*"])
