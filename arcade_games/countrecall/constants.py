"""CountRecall numbers from docs/games/countrecall.md: difficulties, colours, layout per observation
size."""

DECK = 26  # cards per deck
DECKS = {"Easy": 1, "Medium": 2, "Hard": 3}
SUIT_TYPES = {"Easy": 2, "Medium": 2, "Hard": 4}  # heart, spade (, club, diamond)
SPARE_STEPS = 100  # time limit = number of cards + 100


def num_cards(decks: int) -> int:
    return DECK * decks


def time_limit(decks: int) -> int:
    return num_cards(decks) + SPARE_STEPS


# colours
BACKGROUND = (245, 245, 245)
AREA = (153, 179, 204)
SCORE = (191, 26, 26)
COUNTER = (143, 237, 143)
NAME = (74, 191, 240)

# layout per observation size; card boxes on the full canvas, history on the game area
LAYOUT = {
    256: dict(area=192, card_tall=(0, 0, 20, 40), card_short=(0, 0, 20, 34), query_dx=234,
              counter_box=(136, 2, 246, 30), pitch=20, slot_w=12, slot_h=20),
    128: dict(area=96, card_tall=(0, 0, 10, 20), card_short=(0, 0, 10, 14), query_dx=117,
              counter_box=(68, 1, 123, 15), pitch=10, slot_w=8, slot_h=12),
}  # fmt: skip
