"""The democratic appraisal is deliberately not in the Django admin.

Grades are written by ``activities.appraisal.services.grade`` under the round's row lock, which keeps 优秀 to a
third of those graded; an admin form writing grades directly would bypass it, and peer assessments are not for
anybody to read one by one. Rounds are opened, graded and closed on /activities/appraisal/.
"""
