"""Every weight and threshold of the intent model, in one place.

The score is `round(100 * sigmoid(z))` with `z = BIAS + evidence - penalty`, so every weight below
is in log-odds units: +0.7 roughly doubles the odds of a purchase. Positive signals only ever add to
`evidence` and the two negative ones only ever add to `penalty`; "diminishing" weights shrink by
their decay factor each time the signal repeats, so no single signal can dominate by repetition.
Chosen as plausible priors, then nudged by a small coordinate search on simulated traffic from
`TUNING_SEEDS` (kept only where the change stayed plausible, rounded); `simulate/evaluate.py`
reports AUC on other seeds. The simulator is ours too, so its AUC is a sanity check, not proof:
re-tune on real, labelled sessions when a store has them.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

MODEL_VERSION: Final = "intent-v1"

# Simulator seeds used while choosing these numbers; held-out evaluation must use others.
TUNING_SEEDS: Final = frozenset({1, 2, 3})

BIAS: Final = -3.0  # a visitor we know nothing about: sigmoid(-3) = 4.7%, a typical conversion rate

# Browsing.
PAGE_GAIN: Final = 0.25  # each new page path: the visit is more than a glance
PAGE_DECAY: Final = 0.7  # ... with diminishing returns: pages alone add at most ~0.8
PRODUCT_GAIN: Final = 0.35  # a new product viewed is the first concrete buying signal
PRODUCT_DECAY: Final = 0.6  # ... at most ~0.9 in total: browsing many products is not buying
REVISIT_GAIN: Final = 0.3  # coming back to a product already seen is comparison shopping
REVISIT_DECAY: Final = 0.5  # ... the second look says most of it: at most 0.6 in total

# Attention on product pages.
PRODUCT_PATH: Final = "/products/"  # a URL path containing this is a product page
DWELL_GAIN_PER_MINUTE: Final = 0.3  # reading a product page is interest
DWELL_MAX_GAP_MS: Final = 120_000  # a longer gap to the next event is an idle tab, not reading
DWELL_CAP: Final = 1.5  # dwell says at most this much: five minutes of reading
SCROLL_GAIN: Final = 0.3  # scrolling to the bottom (depth 100) of a page, first time
SCROLL_DECAY: Final = 0.85  # each further scroll event counts a little less (2.0 in all)
HOVER_GAIN: Final = 0.2  # hovering product details (gallery, sizes) for HOVER_FULL_MS or longer
HOVER_FULL_MS: Final = 3_000  # shorter hovers count in proportion, half at the least
HOVER_DECAY: Final = 0.75  # hovers are cheap and frequent: at most 0.8 in total

# Cart, checkout, purchase.
CART_GAIN: Final = 1.5  # the first cart add: the strongest pre-checkout signal
CART_DECAY: Final = 0.35  # more items help a little: the decision was the first add
# Checkout progress: cumulative evidence at each stage, so skipping a stage loses nothing.
STAGE_EVIDENCE: Final = MappingProxyType(
    {"cart": 0.5, "checkout": 1.7, "payment": 2.8, "review": 3.4}
)
PURCHASE_GAIN: Final = 8.0  # a purchase is the outcome itself: any session that buys scores ~95+

# Reactions to nudges (a shown or dismissed nudge is neutral).
NUDGE_GAINS: Final = MappingProxyType({"NUDGE_CLICKED": 0.5, "NUDGE_CHAT_OPENED": 0.7})
NUDGE_DECAY: Final = 0.5  # a second engagement adds half as much

# Penalties.
EXIT_PENALTY: Final = 0.5  # the pointer leaves for the tab bar: the visitor is about to go
EXIT_DECAY: Final = 0.6  # repeated exit intents are restlessness, each worth less
REMOVE_PENALTY: Final = 0.5  # taking something out of the cart: second thoughts
