"""Meetings are deliberately not in the Django admin.

Planning fills the expected participants from the organisation; leave, attendance and its corrections, minutes
and cancelling each go through ``activities.meetings.services``, which checks the meeting's state, records who
did what (``AttendanceChange`` for every correction) and tells the members. An admin form editing a meeting or an
attendance row directly would bypass all of it. Admins work on the meeting pages (/activities/meetings/).
"""
