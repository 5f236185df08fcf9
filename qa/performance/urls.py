from django.contrib import admin
from django.urls import path

from qa.performance import views

app_name = "performance"

urlpatterns = [
    # Agents, on the shared login and the site's own layout.
    path("me/", views.my_scorecard, name="my-scorecard"),
    path("me/calls/<int:call_id>/", views.my_call, name="my-call"),
    path("me/evaluations/<int:evaluation_id>/acknowledge/", views.evaluation_acknowledge, name="evaluation-acknowledge"),
    path("me/evaluations/<int:evaluation_id>/dispute/", views.evaluation_dispute, name="evaluation-dispute"),
    # QA staff: the dashboard and dispute resolution inside the admin's login and look; scorecards on the site's layout.
    path("performance/dashboard/", admin.site.admin_view(views.dashboard), name="dashboard"),
    path("performance/teams/<int:team_id>/trend/", admin.site.admin_view(views.team_trend), name="team-trend"),
    path("performance/disputes/<int:dispute_id>/", admin.site.admin_view(views.dispute_resolve), name="dispute-resolve"),
    path("performance/agents/<int:agent_id>/", views.agent_scorecard, name="agent-scorecard"),
]
