"""URLs under /members/points/ (included by members/urls.py, in the members namespace)."""

from django.urls import path

from .views import points

urlpatterns = [
    path("", points.my_points, name="points_mine"),
    path("claim/", points.claim_create, name="points_claim"),
    path("claims/", points.claim_queue, name="points_claims"),
    path("claims/<int:pk>/decide/", points.claim_decide, name="points_decide"),
    path("entries/<int:pk>/evidence/", points.evidence, name="points_evidence"),
    path("members/<int:pk>/", points.member_points, name="points_member"),
    path("members/<int:pk>/deduct/", points.deduct, name="points_deduct"),
    path("board/", points.board, name="points_board"),
    path("rules/", points.rule_list, name="points_rules"),
    path("rules/new/", points.rule_create, name="points_rule_create"),
    path("rules/defaults/", points.rules_defaults, name="points_rules_defaults"),
    path("rules/<int:pk>/edit/", points.rule_edit, name="points_rule_edit"),
    path("rules/<int:pk>/retire/", points.rule_retire, name="points_rule_retire"),
    path("years/", points.point_years, name="points_years"),
]
