"""Points (积分, DOMAIN.md §8): rules as data, the ledger of entries, claims and deductions — the app ``points``.

Points is the ledger others write to: an app that earns points registers an automatic source with
``members.points.services.source`` from its own module; points imports none of them.
"""
