"""Democratic appraisal of members (民主评议党员, DOMAIN.md §7) — the app ``appraisal``.

Once a year a branch opens a round: each member writes a self-assessment (自我评价), members assess each other
(党员互评), and the branch grades each full member 优秀 / 合格 / 基本合格 / 不合格, 优秀 at most a third of those
graded (``activities.meetings.rules.max_excellent``). Probationary members take part without a grade.
"""
