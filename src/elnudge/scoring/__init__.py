"""The intent model: a pure, deterministic purchase-intent score (0-100) for a session.

No web or database imports here, and nothing of elNudge but its vocabulary: the server, the
dashboard and `simulate/evaluate.py` all call the same functions on plain `Event` objects.
"""

from elnudge.scoring.model import intent_score, score_history
from elnudge.scoring.weights import MODEL_VERSION

__all__ = ["MODEL_VERSION", "intent_score", "score_history"]
