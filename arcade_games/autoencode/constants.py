"""AutoEncode numbers from docs/games/autoencode.md: difficulties, colours, layout per observation
size."""

DECK = 26  # cards per deck
DECKS = {"Easy": 1, "Medium": 2, "Hard": 3}
SUIT_TYPES = 4  # heart, spade, club, diamond
STEPS_PER_CARD = 10  # time limit = 10 N


def num_cards(decks: int) -> int:
    return DECK * decks


def time_limit(decks: int) -> int:
    return STEPS_PER_CARD * num_cards(decks)


# colours: the game area has the background's colour (it is invisible)
BACKGROUND = (173, 217, 230)
SCORE = (255, 48, 71)
NAME = (255, 105, 186)

# layout per observation size; card boxes on the full canvas, history on the game area
LAYOUT = {
    256: dict(area=192, card_tall=(0, 0, 20, 40), card_short=(0, 0, 20, 34),
              select_box=(234, 0, 254, 40), pitch=20, slot_w=12, slot_h=20),
    128: dict(area=96, card_tall=(0, 0, 10, 20), card_short=(0, 0, 10, 17),
              select_box=(117, 0, 127, 20), pitch=10, slot_w=8, slot_h=14),
}  # fmt: skip
