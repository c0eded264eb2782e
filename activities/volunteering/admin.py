"""Volunteer activities are deliberately not in the Django admin.

Publishing tells the members whose skills match; signing up and withdrawing move the waiting list under the
activity's lock; cancelling releases the room booking and tells the volunteers; recording it after the event feeds
the points. Each goes through ``activities.volunteering.services``; an admin form editing a row directly would
bypass all of it. Admins work on the volunteering pages (/activities/volunteering/).
"""
