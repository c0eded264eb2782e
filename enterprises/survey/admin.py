"""The survey is deliberately not in the Django admin.

Its writes go through ``enterprises.survey.services``: a visit's owner's attitude becomes the enterprise's, with
history; a lead is closed once, with a reason; a follow-up is marked done once. Admins work on the survey pages
(/enterprises/survey/).
"""
