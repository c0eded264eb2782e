"""Points are deliberately not in the Django admin.

Every entry is written by ``members.points.services`` under the rule's row lock (the yearly cap) and tells the
member; rules are edited by the building's admins on /members/points/rules/, where a rule in use keeps its code
and kind. An admin form writing entries or rules directly would bypass both.
"""
