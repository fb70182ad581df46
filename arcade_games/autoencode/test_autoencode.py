"""AutoEncode: rules (watch stage, the forced first answer, a perfect player, the time limit),
random-policy returns against docs/games/autoencode.md §Random play, and pixel checks of the frame
at 128 and 256 px."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import arcade_core
from arcade_core.render import glyph_mask
from arcade_core.testing import compare_renderers, play, stack, view_drawers
from arcade_games.autoencode import constants as C
from arcade_games.autoencode.game import AutoEncode, AutoEncodeState
from arcade_games.cards.suits import suit_mask

UP, DOWN, LEFT, RIGHT, FIRE = range(5)
RED, BLACK = (255, 0, 0), (0, 0, 0)


@pytest.fixture(scope="module")
def easy():
    env, params = arcade_core.make("AutoEncodeEasy")
    return env, params, jax.jit(env.step), jax.jit(env.reset)


def test_reset_shuffles_a_deck_of_k_mod_4():
    for env_id, n in (("AutoEncodeEasy", 26), ("AutoEncodeHard", 78)):
        env, params = arcade_core.make(env_id)
        s = jax.jit(env.init)(jax.random.key(0), params)
        assert np.bincount(np.asarray(s.cards), minlength=4).tolist() == [
            int(np.sum(np.arange(n) % 4 == t)) for t in range(4)
        ]
        assert (int(s.count), int(s.sel), int(s.score), int(s.time)) == (0, 0, 0, 0)
        assert params.max_steps_in_episode == 10 * n


def test_left_and_right_cycle_the_selection(easy):
    env, params, step, reset = easy
    _, s = reset(jax.random.key(0), params)
    _, _, _, states = play(step, s, params, [LEFT, LEFT, LEFT, LEFT, RIGHT, RIGHT, UP, DOWN])
    assert [int(x.sel) for x in states] == [1, 2, 3, 0, 3, 2, 2, 2]


def test_watch_stage_pays_nothing_and_the_step_from_t_n_answers_by_itself(easy):
    env, params, step, reset = easy
    _, s = reset(jax.random.key(1), params)
    cards = np.asarray(s.cards)
    rewards, dones, _, states = play(step, s, params, [FIRE] * 26)
    assert rewards == [0.0] * 26 and not any(dones)
    assert int(states[-1].count) == 0 and int(states[-1].time) == 26
    # at t = N, no fire: the answer is given anyway, after this step's selection change
    s = states[-1]
    want = int(cards[25])
    move = LEFT if (int(s.sel) + 1) % 4 == want else RIGHT
    r, d, _, st = play(step, s, params, [move])
    right = (int(s.sel) + (1 if move == LEFT else -1)) % 4 == want
    assert r == [pytest.approx(1 / 26 if right else 0.0)] and int(st[0].count) == 1
    # from then on only fire answers
    r, d, _, st = play(step, st[0], params, [UP, DOWN, LEFT])
    assert r == [0.0, 0.0, 0.0] and int(st[-1].count) == 1


def perfect_policy(s: AutoEncodeState, n: int) -> jax.Array:
    """Select the card due next (`cards[N-1-count]`; during the watch stage the last card,
    read from the state), then fire; at t = N any action answers, so just hold."""
    due = s.cards[jnp.clip(n - 1 - s.count, 0, n - 1)]
    diff = (due - s.sel) % 4
    move = jnp.where(diff == 3, RIGHT, LEFT)
    hold = jnp.where(s.time > n, FIRE, UP)
    return jnp.where(diff == 0, hold, move)


def _episodes(env: AutoEncode, n_envs: int, policy, seed: int):
    """Jitted batch of first episodes: (return, length, terminated, final state)."""
    params = env.default_params
    T = params.max_steps_in_episode

    def run(key):
        k0, k1 = jax.random.split(key)
        s = jax.vmap(env.init, in_axes=(0, None))(jax.random.split(k0, n_envs), params)

        def body(c, k):
            s, ret, length, alive, term_seen = c
            ka, ks = jax.random.split(k)
            a = policy(s, ka)
            ns, r, term = jax.vmap(env.transition_checked, in_axes=(0, 0, 0, None))(
                jax.random.split(ks, n_envs), s, a, params
            )
            done = term | (ns.time >= T)
            ret, length = ret + r * alive, length + alive
            term_seen = term_seen | (term & alive)

            def keep(new, old):  # freeze each env at its episode's end
                return jnp.where(alive.reshape(alive.shape + (1,) * (new.ndim - 1)), new, old)

            ns = jax.tree.map(keep, ns, s)
            return (ns, ret, length, alive & ~done, term_seen), None

        z = jnp.zeros(n_envs, jnp.int32)
        init = (s, jnp.zeros(n_envs), z, jnp.ones(n_envs, bool), jnp.zeros(n_envs, bool))
        (s, ret, length, _, term), _ = jax.lax.scan(body, init, jax.random.split(k1, T))
        return ret, length, term, s

    return jax.jit(run)(jax.random.key(seed))


@pytest.mark.parametrize(
    "decks", [1, pytest.param(2, marks=pytest.mark.slow), pytest.param(3, marks=pytest.mark.slow)]
)
def test_a_perfect_player_returns_exactly_one_and_stops_at_the_last_answer(decks):
    env = AutoEncode(decks=decks)
    n = env.num_cards
    ret, length, term, s = _episodes(
        env, 32, lambda s, k: jax.vmap(perfect_policy, in_axes=(0, None))(s, n), seed=2
    )
    assert np.all(np.asarray(ret) == np.float32(1.0))  # exactly 1, never 1 + 1/N [FIX]
    assert np.all(np.asarray(term)) and np.all(np.asarray(s.count) == n)
    assert np.all(np.asarray(s.score) == n)
    # N watch steps, then N answers each preceded by at most 2 selection moves
    assert np.all((np.asarray(length) >= 2 * n) & (np.asarray(length) <= 4 * n))


def test_never_firing_after_the_forced_answer_truncates_at_10n(easy):
    env, params, step, reset = easy
    _, s = reset(jax.random.key(3), params)
    rewards, dones, infos, states = play(step, s, params, [LEFT, UP, RIGHT, DOWN] * 65)
    assert dones.index(True) == 259
    assert infos[259] == {"terminated": False, "truncated": True}
    assert sum(r > 0 for r in rewards) <= 1  # only the forced first answer can pay


def test_invalid_actions_change_nothing_but_time(easy):
    env, params, step, reset = easy
    _, s = reset(jax.random.key(4), params)
    _, s, _, _, _ = step(jax.random.key(0), s, LEFT, params)
    for a in (-1, 5, 99, 2**31 - 1):
        _, s2, r, d, info = step(jax.random.key(1), s, a, params)
        assert float(r) == 0.0 and not bool(d) and not bool(info["terminated"])
        assert int(s2.time) == int(s.time) + 1
        assert all(np.array_equal(getattr(s2, f), getattr(s, f)) for f in ("cards", "count", "sel"))


# POPGym Arcade's random returns, 0.250 / 0.251 / 0.251, include its extra paid step after the
# last answer, worth about +0.002 on Easy; the fixed game gives it up (docs/games/autoencode.md
# §Differences from POPGym Arcade).
SPEC_RANDOM = {1: 0.250 - 0.002, 2: 0.251 - 0.001, 3: 0.251 - 0.001}


@pytest.mark.parametrize(
    "decks", [1, pytest.param(2, marks=pytest.mark.slow), pytest.param(3, marks=pytest.mark.slow)]
)
def test_random_policy_return_matches_the_spec(decks):
    env = AutoEncode(decks=decks)
    n_envs = 1000
    ret, length, term, _ = _episodes(
        env, n_envs, lambda s, k: jax.random.randint(k, (n_envs,), 0, 5), seed=5
    )
    ret = np.asarray(ret, np.float64)
    se = ret.std() / np.sqrt(n_envs)
    assert abs(ret.mean() - SPEC_RANDOM[decks]) < 4 * np.sqrt(2) * se + 0.002
    assert np.all(np.asarray(term))  # random play answers all N well within 10 N steps


# ------------------------------------------------------------------------------- pixels

BG = C.BACKGROUND


@pytest.fixture(scope="module")
def drawers():
    """Jitted `draw` of AutoEncodeHard per (size, partial)."""
    return view_drawers("AutoEncodeHard")


def make_state(cards, t, sel=0, score=0, count=0) -> AutoEncodeState:
    return AutoEncodeState(
        cards=jnp.asarray(np.resize(np.asarray(cards, np.int32), 78)),
        count=jnp.int32(count),
        sel=jnp.int32(sel),
        score=jnp.int32(score),
        time=jnp.int32(t),
        next_decks=jnp.asarray(np.arange(78)[None] % 4, jnp.int32),
    )


def colour_mask(img: np.ndarray, colour) -> np.ndarray:
    return np.all(img == np.asarray(colour, np.uint8), -1)


@pytest.mark.parametrize("size", [128, 256])
def test_score_digits_and_name(drawers, size):
    img = np.asarray(drawers[size, True](make_state([0], 80, score=4)))
    ys, xs = np.nonzero(colour_mask(img, C.SCORE))
    cw, ch = (3, 5) if size == 256 else (2, 2)
    x0, y0 = (121, 3) if size == 256 else (59, 2)
    assert (xs.min(), ys.min(), ys.max()) == (x0, y0, y0 + 5 * ch - 1)
    glyph = glyph_mask("4", cw, ch)
    region = colour_mask(img, C.SCORE)[y0 : y0 + 5 * ch, x0 : x0 + 5 * cw]
    assert np.array_equal(region, glyph) and colour_mask(img, C.SCORE).sum() == glyph.sum()
    ys, xs = np.nonzero(colour_mask(img, C.NAME))
    want = (14, 240, 233, 252) if size == 256 else (9, 117, 117, 126)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == want


@pytest.mark.parametrize("size", [128, 256])
@pytest.mark.parametrize("suit", [0, 1, 2, 3])
def test_the_card_shown_and_the_selection_are_suit_sprites(drawers, size, suit):
    L = C.LAYOUT[size]
    sel = (suit + 2) % 4
    cards = [3, 2, 1, suit] + [0] * 74
    img = np.asarray(drawers[size, True](make_state(cards, 3, sel=sel)))
    ink = colour_mask(img, RED) | colour_mask(img, BLACK)
    for s, (x0, y0, x1, y1) in (
        (suit, L["card_short"] if suit in (1, 2) else L["card_tall"]),
        (sel, L["select_box"]),  # any suit in the full box: no spade/club shortening
    ):
        region = img[y0 : y1 + 1, x0 : x1 + 1]
        want = suit_mask(s, x1 - x0, y1 - y0, size == 256)
        colour = RED if s in (0, 3) else BLACK
        assert np.array_equal(colour_mask(region, colour), want)
        ink[y0 : y1 + 1, x0 : x1 + 1] = False
    assert not ink.any()
    # during play (t >= N) the top-left card is gone; the selection stays
    img = np.asarray(drawers[size, True](make_state(cards, 78, sel=sel)))
    x0, y0, x1, y1 = L["card_tall"]
    assert colour_mask(img[y0 : y1 + 1, x0 : x1 + 1], BG).all()
    x0, y0, x1, y1 = L["select_box"]
    assert not colour_mask(img[y0 : y1 + 1, x0 : x1 + 1], BG).all()


@pytest.mark.parametrize("size", [128, 256])
@pytest.mark.parametrize("t", [0, 30, 200])
def test_mdp_history_shows_cards_before_t_and_the_pomdp_hides_it(drawers, size, t):
    L = C.LAYOUT[size]
    o = (size - L["area"]) // 2
    p, w, h = L["pitch"], L["slot_w"], L["slot_h"]
    cards = [(k * 5 + k // 3) % 4 for k in range(78)]
    mdp = np.asarray(drawers[size, False](make_state(cards, t, sel=1)))
    pomdp = np.asarray(drawers[size, True](make_state(cards, t, sel=1)))
    differ = np.any(mdp != pomdp, -1)
    want = np.zeros((size, size), bool)
    want_red = np.zeros((size, size), bool)
    for k in range(min(t, 78)):
        x, y = o + p * (k % 9), o + p * (k // 9)
        m = suit_mask(cards[k], w, h, size == 256)
        region = (slice(y, y + h + 1), slice(x, x + w + 1))
        want[region] |= m
        want_red[region] = np.where(m, cards[k] in (0, 3), want_red[region])
    assert np.array_equal(differ, want)  # the POMDP differs exactly at the history's ink
    assert np.array_equal(colour_mask(mdp, RED) & differ, want_red & want)
    assert np.array_equal(colour_mask(mdp, BLACK) & differ, ~want_red & want)
    assert colour_mask(pomdp[o : o + L["area"], o : o + L["area"]], BG).all()


def test_the_plain_renderer_draws_full_histories_as_the_tuned_one():
    """Beyond random play (checked by the conformance kit): every card shown, the watch
    stage over, the time past the cards."""
    cards = [(k * 3) % 4 for k in range(78)]
    states = stack([make_state(cards, 77, sel=3, score=5), make_state(cards, 78, sel=1),
                    make_state(cards, 250, sel=2, score=78, count=78)])  # fmt: skip
    for size in (128, 256):
        assert compare_renderers("AutoEncodeHard", states, size) == []
