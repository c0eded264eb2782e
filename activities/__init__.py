"""The building's shared life: outreach letters, the party-building funding ledger (more to come).

Each sub-domain is its own nested app: ``activities.funds`` (label ``funds``) and ``activities.letters`` (label
``letters``). This package holds only what those apps share, which is nothing yet; it stays an installed app
(label ``activities``) so that its migration history, where the two models started, is kept.
"""
