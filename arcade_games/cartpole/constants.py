"""CartPole numbers from docs/games/cartpole.md, docs/games/noisycartpole.md: difficulties, physics,
colours, layout per size."""

TIME_LIMIT = {"Easy": 200, "Medium": 400, "Hard": 600}
NOISE_SIGMA = {"Easy": 0.1, "Medium": 0.2, "Hard": 0.3}

# physics
GRAVITY = 9.8
MASS_CART = 1.0
MASS_POLE = 0.1
TOTAL_MASS = MASS_CART + MASS_POLE
HALF_LENGTH = 0.5
POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH
FORCE = 10.0
TAU = 0.02
THETA_LIMIT = 0.2094395  # 12 degrees
X_LIMIT = 2.4
THETA_DRAW_LIMIT = 0.2094  # the renderer clips to this (docs/games/cartpole.md §Drawing)

# colours
BACKGROUND = (51, 51, 51)
CART = (245, 74, 140)
POLE = (140, 69, 18)  # added modulo 256, once for the capsule and once per end disc [KEEP]
ARROW = (204, 204, 204)
SCORE = (0, 255, 128)
NAME = (74, 214, 247)

# layout on the game area (sub-canvas coordinates), per observation size
LAYOUT = {
    256: dict(area=192, cart_w=64, cart_h=32, cart_top=96, pole_r=5, head0=8,
              vel_box=(10, 138, 54, 182), ang_box=(138, 138, 182, 182)),
    128: dict(area=96, cart_w=32, cart_h=16, cart_top=48, pole_r=3, head0=6,
              vel_box=(5, 69, 27, 91), ang_box=(69, 69, 91, 91)),
}  # fmt: skip
