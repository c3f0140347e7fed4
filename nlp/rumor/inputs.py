"""The analysis stage's view of a post for the rumour model (re-exported by
``nlp.rumor.model``, split off to keep that module small)."""

from __future__ import annotations

from collections.abc import Sequence

from archive.models import Mention
from nlp.rumor.ced import Response, RumorInput

# The author figures a mention may carry in ``metrics`` under the names CED uses.
_USER_KEYS = ("verified", "verified_type", "followers", "friends", "messages", "gender")


def input_of(mention: Mention, replies: Sequence[Mention] = ()) -> RumorInput:
    """A post and the replies (reposts, comments) the archive holds for it so far."""
    metrics = mention.metrics
    user = {key: metrics[key] for key in _USER_KEYS if key in metrics}
    if "account_created" in metrics and isinstance(metrics["account_created"], int | float):
        user["time"] = metrics["account_created"]
    pics = metrics.get("pics", 0)
    return RumorInput(
        id=mention.id,
        text=mention.text if not mention.title else f"{mention.title} {mention.text}",
        posted_at=mention.published_at,
        user=user,
        pics=int(pics) if isinstance(pics, int | float) else 0,
        responses=tuple(
            Response(r.text, r.published_at)
            for r in sorted(replies, key=lambda r: (r.published_at, r.id))
        ),
    )
