from django.contrib import admin
from django.urls import path

from qa.reviews import auto_views, views

app_name = "reviews"

# Inside the admin's login and look: reviewers and managers are staff users.
urlpatterns = [
    path("calls/<int:call_id>/", admin.site.admin_view(views.workspace), name="workspace"),
    path("calibration/<int:pk>/results/", admin.site.admin_view(views.calibration_result), name="calibration-result"),
    path("auto-qa/", admin.site.admin_view(auto_views.auto_checks), name="auto-checks"),
]
