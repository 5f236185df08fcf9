from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from qa import api_docs, views
from qa.autoqa import api as autoqa_api
from qa.performance import api as performance_api
from qa.portal import api as portal_api
from recordings import api

api_patterns = [
    path("calls/", api.CallListCreateApi.as_view(), name="call-list"),
    # The call's detail with its automatic evaluation (`auto_qa`): recordings' view, extended by qa.autoqa.
    path("calls/<int:call_id>/", autoqa_api.CallDetailApi.as_view(), name="call-detail"),
    path("calls/<int:call_id>/retranscribe/", api.CallRetranscribeApi.as_view(), name="call-retranscribe"),
    path("call-records/", api.CallRecordsApi.as_view(), name="call-records"),
    path("clients/", api.ClientListCreateApi.as_view(), name="client-list"),
    path("agents/", api.AgentListCreateApi.as_view(), name="agent-list"),
    path("agents/<int:agent_id>/scorecard/", performance_api.AgentScorecardApi.as_view(), name="agent-scorecard"),
    path("clients/<slug:slug>/summary/", portal_api.ClientSummaryApi.as_view(), name="client-summary"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's settings as a script file: no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # ReDoc's renderer injects <style> elements: this page alone allows inline styles.
    path("redoc/", csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    # settings.SPECTACULAR_SETTINGS["REDOC_DIST"] points here.
    path("redoc-dist/bundles/redoc.standalone.js", api_docs.redoc_bundle, name="redoc-bundle"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("qa.accounts.urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
    path("recordings/", include("recordings.urls")),
    path("reviews/", include("qa.reviews.urls")),
    path("portal/", include("qa.portal.urls")),
    path("", include("qa.performance.urls")),
]

handler500 = "qa.errors.server_error"
