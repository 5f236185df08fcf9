from django.urls import path

app_name = "recordings"

urlpatterns: list = []
