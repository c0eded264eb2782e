"""URLs under /members/points/ (namespace ``points``)."""

from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("", views.my_points, name="mine"),
    path("claim/", views.claim_create, name="claim"),
    path("claims/", views.claim_queue, name="claims"),
    path("claims/<int:pk>/decide/", views.claim_decide, name="decide"),
    path("entries/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("members/<int:pk>/", views.member_points, name="member"),
    path("members/<int:pk>/deduct/", views.deduct, name="deduct"),
    path("board/", views.board, name="board"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/defaults/", views.rules_defaults, name="rules_defaults"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/retire/", views.rule_retire, name="rule_retire"),
    path("years/", views.point_years, name="years"),
]
