from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from qa import api_docs, landing
from qa.performance import api as performance_api
from recordings import api

api_patterns = [
    path("calls/", api.CallListCreateApi.as_view(), name="call-list"),
    path("calls/<int:call_id>/", api.CallDetailApi.as_view(), name="call-detail"),
    path("calls/<int:call_id>/retranscribe/", api.CallRetranscribeApi.as_view(), name="call-retranscribe"),
    path("clients/", api.ClientListCreateApi.as_view(), name="client-list"),
    path("agents/", api.AgentListCreateApi.as_view(), name="agent-list"),
    path("agents/<int:agent_id>/scorecard/", performance_api.AgentScorecardApi.as_view(), name="agent-scorecard"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    # settings.SPECTACULAR_SETTINGS["REDOC_DIST"] points here.
    path("redoc-dist/bundles/redoc.standalone.js", api_docs.redoc_bundle, name="redoc-bundle"),
]

urlpatterns = [
    path("", landing.home, name="home"),
    path("accounts/", include("qa.accounts.urls")),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True), name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
    path("recordings/", include("recordings.urls")),
    path("reviews/", include("qa.reviews.urls")),
    path("", include("qa.performance.urls")),
]
