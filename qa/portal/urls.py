from django.urls import path

from qa.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.client_home, name="client"),
    path("<slug:slug>/calls/", views.call_list, name="calls"),
    path("<slug:slug>/calls/<int:call_id>/", views.call_detail, name="call"),
    path("<slug:slug>/summary/", views.summary, name="summary"),
]
