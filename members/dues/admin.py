"""Dues are deliberately not in the Django admin.

Every change of money goes through ``members.dues.services``, which locks the rows it reads, keeps bills,
payments and allocations consistent and records who did what; an admin form editing a bill or a payment
directly would bypass all of it. Admins work on the dues pages (/members/dues/).
"""
