"""URLs under /activities/duty/ (namespace ``duty``)."""

from django.urls import path

from .views import cases, register, roster, shifts, swaps, teams

app_name = "duty"

urlpatterns = [
    # the teams and their people (views/teams.py)
    path("", teams.team_list, name="teams"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/<int:pk>/", teams.team_detail, name="team"),
    path("teams/<int:pk>/edit/", teams.team_edit, name="team_edit"),
    path("teams/<int:pk>/members/add/", teams.member_add, name="member_add"),
    path("teams/<int:pk>/volunteers/add/", teams.volunteer_add, name="volunteer_add"),
    path("teams/<int:pk>/leave/", teams.leave_add, name="leave_add"),
    path("people/<int:pk>/off/", teams.person_off, name="person_off"),
    path("people/<int:pk>/back/", teams.person_back, name="person_back"),
    path("leave/<int:pk>/remove/", teams.leave_remove, name="leave_remove"),
    # the weekly rosters, filling a week, the printout, my shifts (views/roster.py)
    path("roster/", roster.building_roster, name="building_roster"),
    path("print/", roster.roster_print, name="print"),
    path("mine/", roster.mine, name="mine"),
    path("teams/<int:pk>/roster/", roster.team_roster, name="roster"),
    path("teams/<int:pk>/fill/", roster.fill, name="fill"),
    # shifts, assignments, logs (views/shifts.py)
    path("teams/<int:pk>/shifts/new/", shifts.shift_create, name="shift_create"),
    path("shifts/<int:pk>/", shifts.shift_detail, name="shift"),
    path("shifts/<int:pk>/edit/", shifts.shift_edit, name="shift_edit"),
    path("shifts/<int:pk>/delete/", shifts.shift_delete, name="shift_delete"),
    path("shifts/<int:pk>/assign/", shifts.assign, name="assign"),
    path("shifts/<int:pk>/log/", shifts.log_add, name="log_add"),
    path("assignments/<int:pk>/remove/", shifts.unassign, name="unassign"),
    # swaps (views/swaps.py)
    path("assignments/<int:pk>/swap/", swaps.swap_request, name="swap_request"),
    path("swaps/<int:pk>/decide/", swaps.swap_decide, name="swap_decide"),
    # mediation cases (views/cases.py)
    path("teams/<int:pk>/cases/", cases.case_list, name="cases"),
    path("shifts/<int:pk>/cases/new/", cases.case_create, name="case_create"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case_edit"),
    # the duty register (views/register.py)
    path("export/", register.export, name="export"),
]
