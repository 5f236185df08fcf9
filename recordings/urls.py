from django.urls import path

from recordings import views

app_name = "recordings"

urlpatterns: list = [
    path("calls/<int:call_id>/audio/", views.call_audio, name="call-audio"),
    path("calls/<int:call_id>/waveform/", views.call_waveform, name="call-waveform"),
]
