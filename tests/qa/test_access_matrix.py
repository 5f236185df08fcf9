"""One access matrix over every URL of the project, for every role.

Every URL pattern (admin included, walked with get_resolver()) is requested with GET by each role,
its ids filled with objects of ANOTHER client and ANOTHER agent than the user's own. The answer
must be the one the matrix allows; a pattern missing from the matrix fails the test, so no page
can be added without deciding who sees it.

Outcomes: OK (200), GO (a redirect elsewhere than a login page), LOGIN (a redirect to a login
page), 403, 404, 405 (a POST-only URL asked with GET).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_q.models import Failure, OrmQ, Success
from rest_framework.authtoken.models import Token

from qa.audit.models import Action, AuditEntry
from qa.autoqa.models import AutoEvaluation, RecomputeJob
from qa.performance.models import CoachingSession, Dispute, LogEntry, TrainingFlag, TrainingRules
from qa.reviews import services
from qa.reviews.models import MonitoringPlan, ReviewAssignment
from qa.reviews.services import AnswerInput
from recordings.models import Call, Transcript
from tests.conftest import ingest_sample_call
from tests.factories import AdminFactory, AgentFactory, ClientFactory, ManagerFactory, ReviewerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

OK, GO, LOGIN = "ok", "go", "login"
ROLES = ("anonymous", "agent", "client", "reviewer", "manager", "admin")
ALL = lambda outcome: (outcome,) * len(ROLES)  # noqa: E731 - a table helper
STAFF_ONLY = (LOGIN, LOGIN, LOGIN, OK, OK, OK)  # admin-look pages: non-staff go to the admin login
MANAGERS = (LOGIN, LOGIN, LOGIN, 403, OK, OK)

# Pages outside the admin. Ids belong to another client's call, another agent, another client.
#                                          anonymous agent   client  reviewer manager admin
MATRIX: dict[str, tuple] = {
    "home":                                (LOGIN,   GO,     GO,     GO,     GO,     GO),
    "healthz":                             ALL(OK),
    "favicon":                             ALL(GO),
    "login":                               (OK,      GO,     GO,     GO,     GO,     GO),
    "logout":                              ALL(405),
    "password_change":                     (LOGIN,   OK,     OK,     OK,     OK,     OK),
    "password_change_done":                (LOGIN,   OK,     OK,     OK,     OK,     OK),
    "password_reset":                      ALL(OK),
    "password_reset_done":                 ALL(OK),
    "password_reset_confirm":              ALL(OK),  # an invalid link says so
    "password_reset_complete":             ALL(OK),
    # API: token or session auth (401 asks for credentials); out-of-scope objects are 404.
    "api:call-list":                       (401,     OK,     OK,     OK,     OK,     OK),
    "api:call-detail":                     (401,     404,    404,    OK,     OK,     OK),
    "api:call-retranscribe":               (401,     405,    405,    405,    405,    405),
    "api:call-records":                    (401,     405,    405,    405,    405,    405),
    "api:client-list":                     (401,     403,    403,    403,    403,    OK),
    "api:agent-list":                      (401,     OK,     OK,     OK,     OK,     OK),
    "api:agent-scorecard":                 (401,     404,    404,    OK,     OK,     OK),
    "api:client-summary":                  (401,     404,    404,    OK,     OK,     OK),
    # The API's documentation is public: it describes endpoints, and holds no data.
    "api:schema":                          ALL(OK),
    "api:docs":                            ALL(OK),
    "api:redoc":                           ALL(OK),
    "api:redoc-bundle":                    ALL(OK),
    # Audio of another client's call, heard by another agent: as if it did not exist.
    "recordings:call-audio":               (LOGIN,   404,    404,    OK,     OK,     OK),
    "recordings:call-waveform":            (LOGIN,   404,    404,    OK,     OK,     OK),
    # QA staff pages in the admin's look.
    "reviews:workspace":                   (LOGIN,   LOGIN,  LOGIN,  OK,     OK,     OK),
    "reviews:calibration-result":          MANAGERS,
    "reviews:auto-checks":                 MANAGERS,
    # The client portal.
    "portal:home":                         (LOGIN,   404,    GO,     OK,     OK,     OK),  # QA staff pick a client
    "portal:client":                       (LOGIN,   404,    404,    GO,     GO,     GO),
    "portal:calls":                        (LOGIN,   404,    404,    OK,     OK,     OK),
    "portal:call":                         (LOGIN,   404,    404,    OK,     OK,     OK),
    "portal:summary":                      (LOGIN,   404,    404,    OK,     OK,     OK),
    # The agent's own pages, and managers' performance pages.
    "performance:my-scorecard":            (LOGIN,   OK,     404,    404,    404,    404),
    "performance:my-call":                 (LOGIN,   404,    404,    404,    404,    404),
    "performance:evaluation-acknowledge":  (LOGIN,   405,    405,    405,    405,    405),
    "performance:evaluation-dispute":      (LOGIN,   405,    405,    405,    405,    405),
    "performance:dashboard":               STAFF_ONLY,
    "performance:team-trend":              STAFF_ONLY,
    "performance:dispute-resolve":         MANAGERS,
    "performance:agent-scorecard":         (LOGIN,   404,    404,    OK,     OK,     OK),
    # The admin's own pages.
    "admin:index":                         STAFF_ONLY,
    "admin:login":                         (OK,      OK,     OK,     GO,     GO,     GO),
    "admin:logout":                        (GO,      GO,     GO,     405,    405,    405),  # POST only; others sent home
    "admin:password_change":               STAFF_ONLY,
    "admin:password_change_done":          STAFF_ONLY,
    "admin:autocomplete":                  (LOGIN,   LOGIN,  LOGIN,  403,    403,    403),  # no field asked for
    "admin:jsi18n":                        STAFF_ONLY,
    "admin:app_list":                      STAFF_ONLY,  # /admin/recordings/
    "admin:audit_auditentry_export":       MANAGERS,
    "admin:recordings_call_upload":        STAFF_ONLY,
    "admin:auth_user_password_change":     (LOGIN,   LOGIN,  LOGIN,  403,    403,    OK),
    "admin:reviews_rubricversion_start_edit": (LOGIN, LOGIN, LOGIN,  403,    403,    403),  # POST only
    "admin:reviews_rubricversion_publish":    (LOGIN, LOGIN, LOGIN,  403,    403,    403),  # POST only
    "admin:catch_all":                     (LOGIN,   LOGIN,  LOGIN,  404,    404,    404),  # /admin/nowhere/
    "admin:view_on_site":                  (LOGIN,   LOGIN,  LOGIN,  404,    404,    404),  # calls have no public page
}

# Admin pages per model, for the three staff roles (reviewer, manager, admin): what each may do there,
# v(iew) a(dd) c(hange) d(elete). Everyone else is sent to the admin's login page.
#                                  reviewer  manager  admin
ADMIN_MODELS: dict[str, tuple] = {
    "audit.auditentry":            ("",      "v",     "v"),     # nobody adds, changes or deletes entries
    "auth.group":                  ("",      "",      "vacd"),
    "auth.user":                   ("",      "",      "vacd"),
    "authtoken.tokenproxy":        ("",      "",      "vacd"),
    "autoqa.autoevaluation":       ("v",     "v",     "v"),
    "autoqa.recomputejob":         ("",      "v",     "v"),
    "axes.accessattempt":          ("",      "",      "vd"),
    "axes.accessfailurelog":       ("",      "",      "vd"),
    "axes.accesslog":              ("",      "",      "vd"),
    "django_q.failure":            ("",      "",      "vd"),
    "django_q.ormq":               ("",      "",      "vcd"),
    "django_q.schedule":           ("",      "",      "vacd"),
    "django_q.success":            ("",      "",      "vd"),
    "performance.coachingsession": ("v",     "vacd",  "vacd"),
    "performance.dispute":         ("v",     "v",     "v"),
    "performance.logentry":        ("v",     "v",     "v"),
    "performance.trainingflag":    ("v",     "vc",    "vc"),
    "performance.trainingrules":   ("v",     "vacd",  "vacd"),
    "recordings.agent":            ("v",     "v",     "vacd"),
    "recordings.call":             ("vac",   "vac",   "vacd"),
    "recordings.client":           ("v",     "v",     "vacd"),
    "recordings.team":             ("v",     "v",     "vacd"),
    "reviews.autocheck":           ("",      "vc",    "vc"),
    "reviews.calibrationsession":  ("v",     "vacd",  "vacd"),
    "reviews.evaluation":          ("v",     "v",     "v"),
    "reviews.monitoringplan":      ("v",     "vacd",  "vacd"),
    "reviews.queueitem":           ("v",     "v",     "v"),     # someone else's item: "no such item" (see below)
    "reviews.reviewassignment":    ("",      "vacd",  "vacd"),
    "reviews.rubric":              ("v",     "vacd",  "vacd"),
    "reviews.rubricversion":       ("v",     "v",     "v"),     # the world's version is in use: locked
    "reviews.section":             ("v",     "v",     "v"),
}
ADMIN_KINDS = {"changelist": "v", "add": "a", "change": "v", "history": "v", "delete": "d"}


# Admin pages that send staff elsewhere by design.
ADMIN_REDIRECTS = {
    ("recordings.call", "add"): "the upload page",
    ("reviews.autocheck", "changelist"): "the automatic checks page (managers)",
    ("reviews.queueitem", "change"): "only one's own queue: another's item is 'no such item'",
    ("reviews.queueitem", "history"): "likewise",
}


def admin_expectations(label: str, kind: str) -> tuple:
    if kind == "redirect":  # /admin/<app>/<model>/<id>/ sends staff on to the change page
        return (LOGIN, LOGIN, LOGIN, GO, GO, GO)
    needed = ADMIN_KINDS[kind]
    outcomes = []
    for perms in ADMIN_MODELS[label]:
        allowed = needed in perms or (needed == "v" and "c" in perms)
        outcomes.append((GO if (label, kind) in ADMIN_REDIRECTS else OK) if allowed else 403)
    return (LOGIN, LOGIN, LOGIN, *outcomes)


def all_patterns():
    """(route, name) for every URL pattern, namespaces joined, recursively."""

    def walk(resolver, prefix="", namespace=None):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
                yield from walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                yield prefix + str(pattern.pattern), name

    return list(walk(get_resolver()))


ADMIN_MODEL_URL = re.compile(r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<kind>changelist|add|change|history|delete)$")


@pytest.fixture
def world(rubric, samples_dir):
    """Two clients and two agents; every id in a URL points at the OTHER ones."""
    own_client, other_client = ClientFactory(slug="own-client"), ClientFactory(slug="other-client")
    team = TeamFactory()
    own_agent = AgentFactory(team=team, user=UserFactory(username="agent-user"))
    other_agent = AgentFactory(team=team, external_id="OTHER-AGENT")
    own_client.users.add(UserFactory(username="client-user"))
    own_client.users.add(own_agent.user) if False else None
    call = ingest_sample_call(samples_dir, "outage_hold", client=other_client, agent=other_agent)
    reviewer, manager = ReviewerFactory(username="reviewer-user"), ManagerFactory(username="manager-user")
    answers = {pk: AnswerInput(value=v) for pk, v in rubric.by_pk(rubric.best_answers()).items()}
    evaluation = services.evaluation_submit(call=call, reviewer=ReviewerFactory(), answers=answers)
    session = services.calibration_session_create(
        title="Panel", call=call, reviewers=[reviewer, ReviewerFactory()], created_by=manager,
    )
    ReviewAssignment.objects.create(call=call, reviewer=ReviewerFactory(), due_at=timezone.now())
    MonitoringPlan.objects.create(client=other_client, evaluations_per_agent=1)
    dispute = Dispute.objects.create(
        evaluation=evaluation, agent=other_agent, raised_by=UserFactory(), reason="unfair", score_disputed=evaluation.score,
    )
    flag = TrainingFlag.objects.create(agent=other_agent, rule="critical_fail", summary="A critical fail")
    CoachingSession.objects.create(agent=other_agent, coach=manager, scheduled_for=timezone.now(), created_by=manager)
    LogEntry.objects.create(agent=other_agent, kind=LogEntry.Kind.choices[0][0], text="Flag opened", flag=flag)
    TrainingRules.objects.create(team=team)
    AutoEvaluation.objects.create(call=call, transcript=Transcript.objects.get(call=call), rubric_version=rubric.version)
    RecomputeJob.objects.create(date_from=date.today() - timedelta(days=7), date_to=date.today())
    AuditEntry.objects.create(action=Action.LOGIN, actor_name="someone")
    Token.objects.create(user=UserFactory())
    Success.objects.create(id="a" * 32, name="t", func="math.floor", started=timezone.now(), stopped=timezone.now(), success=True)
    Failure.objects.create(id="b" * 32, name="f", func="math.floor", started=timezone.now(), stopped=timezone.now(), success=False)
    AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", user_agent="t", failures_since_start=1)
    AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t")
    AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t")
    OrmQ.objects.create(key="callqa", payload="x", lock=timezone.now())
    users = {
        "anonymous": None,
        "agent": own_agent.user,
        "client": own_client.users.get(username="client-user"),
        "reviewer": reviewer,
        "manager": manager,
        "admin": AdminFactory(username="root-user"),
    }
    params = {
        "call_id": call.pk, "agent_id": other_agent.pk, "slug": other_client.slug, "team_id": team.pk,
        "dispute_id": dispute.pk, "evaluation_id": evaluation.pk, "pk": session.pk,
        "uidb64": "MQ", "token": "set-password", "id": users["admin"].pk,
    }
    return {"users": users, "params": params, "call": call, "rubric_version": rubric.version, "group": Group.objects.first()}


def object_for(label: str, world) -> str:
    from django.apps import apps

    model = apps.get_model(label)
    if label == "reviews.rubricversion":
        return str(world["rubric_version"].pk)
    instance = model._default_manager.order_by("pk").first()
    assert instance is not None, f"the world has no {label} to open"
    return str(instance.pk)


def url_for(route: str, name: str | None, world) -> tuple[str, tuple]:
    """The URL to request and the outcomes the matrix allows."""
    params = world["params"]
    if name and (match := ADMIN_MODEL_URL.match(name)) and f"{match['app']}.{match['model']}" in ADMIN_MODELS:
        label = f"{match['app']}.{match['model']}"
        kwargs = {"object_id": object_for(label, world)} if match["kind"] in ("change", "history", "delete") else {}
        return reverse(name, kwargs=kwargs), admin_expectations(label, match["kind"])
    if name is None and route.startswith("admin/") and route.endswith("<path:object_id>/"):
        app, model = route.split("/")[1:3]
        return f"/admin/{app}/{model}/{object_for(f'{app}.{model}', world)}/", admin_expectations(f"{app}.{model}", "redirect")
    if name is None and route == "admin/(?P<url>.*)$":
        return "/admin/nowhere/", MATRIX["admin:catch_all"]
    assert name in MATRIX, f"URL {route!r} ({name}) is missing from the access matrix: decide who sees it"
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": "recordings"}), MATRIX[name]
    wanted = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if name == "admin:view_on_site":
        from django.contrib.contenttypes.models import ContentType

        return reverse(name, args=[ContentType.objects.get_for_model(Call).pk, world["call"].pk]), MATRIX[name]
    if name == "admin:auth_user_password_change":
        return reverse(name, args=[params["id"]]), MATRIX[name]
    if name.startswith("admin:reviews_rubricversion_"):
        return reverse(name, kwargs={"pk": world["rubric_version"].pk}), MATRIX[name]
    return reverse(name, kwargs={key: params[key] for key in wanted}), MATRIX[name]


def outcome(response) -> str | int:
    if response.status_code in (301, 302):
        location = response["Location"]
        return LOGIN if "/login/" in location else GO
    if response.status_code == 200:
        return OK
    return response.status_code


def test_every_url_answers_every_role_as_the_matrix_says(client, world):
    failures = []
    checked = 0
    for route, name in all_patterns():
        url, expected = url_for(route, name, world)
        for role, wanted in zip(ROLES, expected, strict=True):
            user = world["users"][role]
            client.logout()
            if user is not None:
                client.force_login(user)
            got = outcome(client.get(url))
            checked += 1
            if got != wanted:
                failures.append(f"{role:<9} GET {url:<60} {name or route}: got {got}, matrix says {wanted}")
    assert not failures, "\n" + "\n".join(failures)
    assert checked > 1000


def test_every_admin_model_has_a_row():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


def test_it_refuses_other_agents_evaluations_on_post_as_if_they_did_not_exist(client, world):
    """State-changing URLs asked with POST: another agent's evaluation is a 404, not a 403."""
    client.force_login(world["users"]["agent"])
    evaluation_id = world["params"]["evaluation_id"]
    for name in ("performance:evaluation-acknowledge", "performance:evaluation-dispute"):
        response = client.post(reverse(name, args=[evaluation_id]), {"reason": "not mine"})
        assert response.status_code == 404, name
    assert not Dispute.objects.exclude(reason="unfair").exists()


def test_it_lets_an_agent_who_serves_several_clients_see_all_their_calls_and_client_staff_only_theirs(client, world, samples_dir):
    call = world["call"]  # the other agent's call, for the other client
    own_agent_user = world["users"]["agent"]
    mine_elsewhere = ingest_sample_call(samples_dir, "billing_double_charge", client=call.client, agent=own_agent_user.agent)
    client.force_login(own_agent_user)
    assert client.get(reverse("performance:my-call", args=[mine_elsewhere.pk])).status_code == 200
    assert client.get(reverse("api:call-detail", args=[mine_elsewhere.pk])).status_code == 200
    # Client staff of the call's client see it, whichever agent handled it.
    staff = UserFactory(username="other-client-staff")
    call.client.users.add(staff)
    client.force_login(staff)
    for target in (call, mine_elsewhere):
        assert client.get(reverse("portal:call", args=[call.client.slug, target.pk])).status_code == 200
    assert Call.objects.filter(client=call.client).count() == 2


def test_it_fails_on_a_url_pattern_the_matrix_does_not_know(world):
    with pytest.raises(AssertionError, match="missing from the access matrix"):
        url_for("reports/secret/", "reports:secret", world)
