"""What the taxonomy announces to the parts that count concerns by tag (blinker signals).

The taxonomy changes some concerns' tags or a tag's category with bulk SQL, behind the ORM's
flush hooks; whoever keeps counts (the pattern and race/ethnicity rollups) subscribes here, so the
taxonomy never imports them. Each signal is sent with the session (`sender`) after a flush.
"""

from blinker import Namespace

_signals = Namespace()

concerns_retagged = _signals.signal("concerns-retagged")  # concern_tags rows moved (a tag merge)
tag_category_changed = _signals.signal("tag-category-changed")  # a tag's category changed
