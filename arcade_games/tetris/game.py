"""Tetris rules (docs/games/tetris.md) as array operations on the 20 x 10 board: a piece is a 16-bit
shape from a precomputed (type, rotation) table, its board mask comes from compares against the
board's row and column indices, collision is one masked `any`, and a line clear is a one-hot
row compaction — no per-cell loop, no scatter, no data-dependent loop."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.rng import hash_bits, mix32
from arcade_core.struct import dataclass

from . import constants as C
from .draw import TetrisRenderer


def shape_bits() -> np.ndarray:
    """uint32[7, 4]: each (piece, rotation)'s filled cells as bits `row * 4 + col`."""
    bits = np.zeros((C.NUM_PIECES, 4), np.uint32)
    for t, rotations in enumerate(C.PIECES):
        for r, cells in enumerate(rotations):
            for row, col in zip(cells[::2], cells[1::2], strict=True):
                bits[t, r] |= 1 << (row * 4 + col)
    return bits


SHAPES = shape_bits()


@dataclass
class TetrisState:
    board: jax.Array  # int32[20, 10]: 0 empty, k + 1 a locked cell of piece k
    piece: jax.Array  # current piece type 0..6
    rotation: jax.Array  # 0..3
    x: jax.Array  # column of the piece's 4 x 4 box (may be negative)
    y: jax.Array  # row of the box
    preview: jax.Array  # int32[P]: the next P pieces
    queue: jax.Array  # int32[7]: the current bag (a permutation)
    queue_index: jax.Array  # next bag entry to enter the preview
    seed: jax.Array  # uint32: the episode's random seed, from which every bag is hashed
    bags: jax.Array  # bags dealt so far (the next bag's number)
    lines: jax.Array  # lines cleared; also the score drawn at the top
    just_locked: jax.Array  # bool: a piece locked on the previous step
    fresh: jax.Array  # steps since the piece spawned, capped at 10
    top_out: jax.Array  # bool: the last spawned piece collided
    time: jax.Array

    @property
    def score(self) -> jax.Array:
        """The score is the number of lines cleared."""
        return self.lines


@dataclass
class TetrisParams:
    max_steps_in_episode: int = C.TIME_LIMIT


def shape(piece: jax.Array, rotation: jax.Array) -> jax.Array:
    """The 16-bit shape of `piece` in `rotation` (one lookup in the precomputed table)."""
    return jnp.asarray(SHAPES)[piece, rotation % 4]


def shape_mask(bits: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    """bool[20, 10]: the board cells covered by a shape with its 4 x 4 box at (x, y) (cells
    that fall off the board are simply absent): compares against row and column indices."""
    dr = jnp.arange(C.ROWS, dtype=jnp.int32)[:, None] - y
    dc = jnp.arange(C.COLS, dtype=jnp.int32)[None, :] - x
    inside = (dr >= 0) & (dr < 4) & (dc >= 0) & (dc < 4)
    bit = (jnp.clip(dr, 0, 3) * 4 + jnp.clip(dc, 0, 3)).astype(jnp.uint32)
    return inside & (((bits >> bit) & 1) == 1)


def piece_mask(piece: jax.Array, rotation: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    """bool[20, 10]: the board cells covered by `piece` in `rotation` with its box at (x, y)."""
    return shape_mask(shape(piece, rotation), x, y)


def fits(board: jax.Array, bits: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    """Whether all 4 cells of the shape lie on empty board cells (off the board: they do
    not count, so the piece does not fit). One masked count per test."""
    free = shape_mask(bits, x, y) & (board == 0)
    return jnp.sum(free, dtype=jnp.int32) == 4


def full_rows(board: jax.Array) -> jax.Array:
    """bool[20]: rows with no empty cell."""
    return jnp.all(board > 0, axis=1)


def clear_rows(board: jax.Array, full: jax.Array) -> jax.Array:
    """Remove the `full` rows; the rows above fall in order and empty rows enter at the top.

    Kept row i lands on row i + (full rows below i): a one-hot [20, 20] row map applied by a
    select-and-sum, the same work for every env under `vmap`.
    """
    rows = jnp.arange(C.ROWS, dtype=jnp.int32)
    below = jnp.sum(full[None, :] & (rows[None, :] > rows[:, None]), axis=1, dtype=jnp.int32)
    lands = (~full)[None, :] & ((rows + below)[None, :] == rows[:, None])  # [to, from]
    return jnp.sum(jnp.where(lands[:, :, None], board[None, :, :], 0), axis=1, dtype=board.dtype)


def new_bag(seed: jax.Array, count: jax.Array) -> jax.Array:
    """Bag number `count` of the episode with random `seed`: a uniform permutation of the 7
    pieces. Piece i goes to the rank of its hashed word among the 7 (ties, p < 1e-8, broken
    by index), inverted by a one-hot sum.

    Bags come from a counter-based hash of the episode's seed rather than from the step key:
    `jax.random.permutation` in the step adds a key split, a sort and threefry loops that XLA
    compiles into dozens of kernels (~2 s of compile time), for a draw needed once every 7
    pieces. Integer ops only, the same work for every env under `vmap`.
    """
    n = C.NUM_PIECES
    idx = jnp.arange(n, dtype=jnp.int32)
    counter = count.astype(jnp.uint32) * jnp.uint32(n + 1) + idx.astype(jnp.uint32)
    words = mix32(seed.astype(jnp.uint32) ^ mix32(counter + jnp.uint32(0x9E3779B9)))
    before = (words[None, :] < words[:, None]) | (
        (words[None, :] == words[:, None]) & (idx[None, :] < idx[:, None])
    )  # [i, j]: j comes before i
    rank = jnp.sum(before, axis=1, dtype=jnp.int32)
    return jnp.sum(jnp.where(rank[None, :] == idx[:, None], idx[None, :], 0), axis=1)


def pick(values: jax.Array, index: jax.Array) -> jax.Array:
    """values[index] for a short vector, as a one-hot sum (element-wise under vmap)."""
    return jnp.sum(jnp.where(jnp.arange(values.shape[0]) == index, values, 0), dtype=values.dtype)


class Tetris(Environment[TetrisState, TetrisParams]):
    """Tetris on a 20 x 10 board: 0.1 per cleared line, 10 lines win, topping out costs -1.

    Actions: up rotates clockwise (no wall kicks), down soft-drops, left/right shift, fire does
    nothing. Every step the piece also falls `auto_fall` rows unless the action was a soft
    drop. A piece locks when it cannot fall one row; its full rows are cleared and the next
    piece spawns on the following step (the frame in between shows full rows as white bars).
    The POMDP does not draw the locked cells.

    Choices where the spec leaves one: a clean 7-bag whose preview shows the next P entries of
    the piece sequence ([FIX] of the reference's off-by-(P-1) queue index; P = 1 is identical);
    a clear that crosses 10 lines pays only up to the 10th line [FIX]; multi-row falls test only
    the destination row and fall back to one row [KEEP], so there is no gravity loop at all;
    every bag of an episode is hashed from one random seed hashed from the reset key (the step
    key is unused), a counter-based generator that keeps threefry out of the step (`init`
    runs in every step under `vmap`, for the auto-reset).
    """

    name = "Tetris"

    def __init__(
        self,
        *,
        preview: int = 3,
        auto_fall: int = 1,
        soft_drop: int = 2,
        partial_obs: bool = False,
        obs_size: int = 128,
        final_observation: bool = False,
    ) -> None:
        super().__init__(
            partial_obs=partial_obs, obs_size=obs_size, final_observation=final_observation
        )
        self.preview = int(preview)
        self.auto_fall = int(auto_fall)
        self.soft_drop = int(soft_drop)
        self.renderer = TetrisRenderer(self.obs_size, self.preview, SHAPES)

    @property
    def default_params(self) -> TetrisParams:
        return TetrisParams()

    def init(self, key: jax.Array, params: TetrisParams) -> TetrisState:
        seed = hash_bits(key, 1)[0]  # not jax.random.bits: a threefry loop in every step
        queue = new_bag(seed, jnp.int32(0))
        zero = jnp.int32(0)
        return TetrisState(
            board=jnp.zeros((C.ROWS, C.COLS), jnp.int32),
            piece=queue[0],
            rotation=zero,
            x=jnp.int32(C.SPAWN[0]),
            y=jnp.int32(C.SPAWN[1]),
            preview=queue[1 : 1 + self.preview],
            queue=queue,
            queue_index=jnp.int32(1 + self.preview),
            seed=seed,
            bags=jnp.int32(1),
            lines=zero,
            just_locked=jnp.bool_(False),
            fresh=zero,
            top_out=jnp.bool_(False),
            time=zero,
        )

    def spawn(self, state: TetrisState) -> TetrisState:
        """The next piece from the preview at the spawn point; the preview takes the next bag
        entry, and a new bag is dealt when the current one is used up."""
        entry = pick(state.queue, state.queue_index)
        index = state.queue_index + 1
        wrap = index == C.NUM_PIECES
        queue = jnp.where(wrap, new_bag(state.seed, state.bags), state.queue)
        piece = state.preview[0]
        x, y = jnp.int32(C.SPAWN[0]), jnp.int32(C.SPAWN[1])
        return state.replace(
            piece=piece,
            rotation=jnp.int32(0),
            x=x,
            y=y,
            preview=jnp.concatenate([state.preview[1:], entry[None]]),
            queue=queue,
            queue_index=jnp.where(wrap, 0, index),
            bags=state.bags + wrap,
            fresh=jnp.int32(0),
            top_out=~fits(state.board, shape(piece, jnp.int32(0)), x, y),
        )

    def transition(
        self, key: jax.Array, state: TetrisState, action: jax.Array, params: TetrisParams
    ) -> tuple[TetrisState, jax.Array, jax.Array]:
        # 1. clear the rows of the piece locked last step, then spawn the next piece
        full = full_rows(state.board) & state.just_locked
        n = jnp.sum(full, dtype=jnp.int32)
        reward = C.LINE_REWARD * jnp.minimum(n, C.LINES_TO_WIN - state.lines)  # [FIX] cap at 10
        cleared = state.replace(
            board=clear_rows(state.board, full),
            lines=state.lines + n,
            just_locked=jnp.bool_(False),
        )
        spawned = self.spawn(cleared)
        s = jax.tree.map(lambda a, b: jnp.where(state.just_locked, a, b), spawned, cleared)
        board, piece = s.board, s.piece
        # 2. rotate or shift, kept only if the piece fits
        current, turn = shape(piece, s.rotation), action == 0
        bits = jnp.where(turn, shape(piece, s.rotation + 1), current)
        x = s.x + (action == 3).astype(jnp.int32) - (action == 2).astype(jnp.int32)
        ok = fits(board, bits, x, s.y)
        rot = jnp.where(ok & turn, (s.rotation + 1) % 4, s.rotation)
        bits, x = jnp.where(ok, bits, current), jnp.where(ok, x, s.x)
        # 3. fall: a soft drop (after the spawn step) or the automatic fall; the destination
        # row alone is tested, then one row [KEEP]
        soft = jnp.where(s.fresh >= 1, self.soft_drop, 1)
        dist = jnp.where(action == 1, soft, self.auto_fall)
        far, near = fits(board, bits, x, s.y + dist), fits(board, bits, x, s.y + 1)
        y = s.y + jnp.where(far, dist, jnp.where(near, 1, 0))
        # 4.-6. lock when the piece cannot fall one more row
        lock = ~fits(board, bits, x, y + 1)
        board = jnp.where(lock & shape_mask(bits, x, y), piece + 1, board)
        new = s.replace(
            board=board,
            rotation=rot,
            x=x,
            y=y,
            just_locked=lock,
            fresh=jnp.minimum(s.fresh + 1, C.FRESH_CAP),
        )
        # 8. the end: 10 lines, or a piece that cannot spawn (-1 unless it is also the last
        # step or a win)
        won = new.lines >= C.LINES_TO_WIN
        last_step = state.time + 1 >= params.max_steps_in_episode
        penalty = new.top_out & ~won & ~last_step
        reward = jnp.where(penalty, reward + C.TOP_OUT_REWARD, reward).astype(jnp.float32)
        return new, reward, won | new.top_out

    def draw(self, state: TetrisState, params: TetrisParams, view: View) -> jax.Array:
        """Board cells as kinds — locked cells (MDP only) with the current piece over them —
        and the full rows, drawn as white bars over everything (in the POMDP too [KEEP])."""
        piece = piece_mask(state.piece, state.rotation, state.x, state.y)
        locked = jnp.zeros_like(state.board) if view.partial else state.board
        kinds = jnp.where(piece, state.piece + 1, locked).astype(jnp.uint8)
        return self.renderer(kinds, full_rows(state.board), state.preview, state.score)
