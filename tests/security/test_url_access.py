"""Every URL pattern of the project, every role: the access table (issue 6, item 1).

HIPAA 45 CFR 164.312(a)(1) (access control) and OWASP ASVS 4.0.3 4.1.3 (least privilege):
each role reaches the pages its work needs and gets 403 at the others; an anonymous
visitor is sent to the login page. The resolver is walked, admin included; a pattern that
is not in the table fails ``test_every_url_pattern_is_in_the_access_table`` until it is
listed here with who may open it.

Outcomes: ``OK`` is 200, a redirect somewhere other than the login page, or 405 (a
POST-only URL opened with GET); ``DENIED`` is 403; ``NOT_FOUND`` is 404 (the area is the
role's, the object is not: another plan's transaction, a case the role does not work);
``LOGIN`` is a redirect to the portal's login page.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import ANONYMOUS, World, world  # noqa: F401  (world is a fixture)

OK, DENIED, NOT_FOUND, LOGIN = "ok", "403", "404", "login page"
UNAUTHENTICATED = "401"  # the API without a token: it takes no session (posc/api/rest.py)

SCO_STAFF, ONE_CARE_STAFF, HOSPITAL = "cca.sco", "cca.onecare", "hospital"
OPS, CSR, QC, MONITOR, SUPERVISOR, SUPERUSER = ("ops", "csr", "qc", "monitor", "supervisor",
                                                "admin")
ROLES = (ANONYMOUS, SCO_STAFF, ONE_CARE_STAFF, HOSPITAL, OPS, CSR, QC, MONITOR, SUPERVISOR,
         SUPERUSER)
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
PLAN_STAFF = frozenset({SCO_STAFF, ONE_CARE_STAFF})
TRACKER = frozenset({CSR, QC, MONITOR, SUPERVISOR, SUPERUSER})
STAFF = frozenset({OPS, SUPERUSER})  # is_staff in posc/members/demo.py DEMO_ACCOUNTS


@dataclass(frozen=True)
class Access:
    """A sample URL of one pattern and who may open it; every other signed-in role gets 403."""

    url: Callable[[World], str]
    ok: frozenset[str] = frozenset()
    not_found: frozenset[str] = frozenset()
    anonymous: str = LOGIN
    others: str = DENIED
    # Admin add/change/delete pages: who may POST (a view-only user sees the page, and
    # gets 403 when posting). None: the GET's outcome decides.
    post_ok: frozenset[str] | None = None

    def expected(self, role: str) -> str:
        if role == ANONYMOUS:
            return self.anonymous
        return OK if role in self.ok else NOT_FOUND if role in self.not_found else self.others


def to(name: str, *args: Callable[[World], object] | str) -> Callable[[World], str]:
    """Return a URL builder of *name*; callable args are read from the world."""
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def sco(name: str, *args) -> Callable[[World], str]:
    return to(f"enrollment:{name}", "sco", *args)


def txn_ref(w: World) -> str:
    return w.transaction.reference


def recoupment_ref(w: World) -> str:
    return w.recoupment.reference


def case_no(w: World) -> str:
    return str(w.case.case_number)


# The portal's own pages. Superusers are not provider staff (no ProviderLink): they get 403
# at the provider panels like any other user without a plan (ui.md).
PORTAL: dict[str, Access] = {
    "home": Access(to("home"), ok=SIGNED_IN),
    # Issue 18: the roles that run a queue (posc/registry.py DashboardPanel); 403 for others.
    "dashboard": Access(to("dashboard"), ok={OPS, QC, MONITOR, SUPERVISOR, SUPERUSER}),
    # Public by design: the login page; logout (POST only, so GET is 405 for everyone).
    "login": Access(to("login"), ok=SIGNED_IN, anonymous=OK),
    "logout": Access(to("logout"), ok=SIGNED_IN, anonymous=OK),
    # The idle-logoff warning's "Stay signed in" (POST only: 405 to GET).
    "keep_alive": Access(to("keep_alive"), ok=SIGNED_IN),
    # The second factor (posc/mfa). MFA_REQUIRED is off here: the code page and the recovery
    # codes send a user without an app on to Home, the set-up page shows itself.
    "mfa:verify": Access(to("mfa:verify"), ok=SIGNED_IN),
    "mfa:setup": Access(to("mfa:setup"), ok=SIGNED_IN),
    "mfa:recovery_codes": Access(to("mfa:recovery_codes"), ok=SIGNED_IN),
    # Enrollment panels and 834 files: provider staff of an SCO or One Care plan (ui.md).
    "enrollment:enrollment": Access(to("enrollment:enrollment"), ok=PLAN_STAFF),
    "enrollment:manage_members": Access(to("enrollment:manage_members"), ok=PLAN_STAFF),
    "enrollment:files": Access(to("enrollment:files"), ok=PLAN_STAFF),
    "enrollment:file_download": Access(to("enrollment:file_download", lambda w: w.batch.pk),
                                       ok={SCO_STAFF}, not_found={ONE_CARE_STAFF}),
    # One batch with its 999 acknowledgments (issue 17): the plan's own; the upload posts
    # to enrollment:files.
    "enrollment:file_detail": Access(to("enrollment:file_detail", lambda w: w.batch.pk),
                                     ok={SCO_STAFF}, not_found={ONE_CARE_STAFF}),
    "enrollment:audit_file_download": Access(
        to("enrollment:audit_file_download", lambda w: w.audit_file.pk), ok={SCO_STAFF},
        not_found={ONE_CARE_STAFF}),
    # Reconciliation (issue 17): plan staff upload and read their plans' rosters; Enrollment
    # Operations read every plan's (the role's enrollment.view_reconciliation).
    "enrollment:reconciliation": Access(to("enrollment:reconciliation"), ok=PLAN_STAFF),
    "enrollment:reconciliation_overview": Access(to("enrollment:reconciliation_overview"),
                                                 ok={OPS, SUPERUSER}),
    "enrollment:reconciliation_detail": Access(
        to("enrollment:reconciliation_detail", lambda w: w.reconciliation.pk),
        ok={SCO_STAFF, OPS, SUPERUSER}, not_found={ONE_CARE_STAFF}),
    "enrollment:reconciliation_xlsx": Access(
        to("enrollment:reconciliation_xlsx", lambda w: w.reconciliation.pk),
        ok={SCO_STAFF, OPS, SUPERUSER}, not_found={ONE_CARE_STAFF}),
    "enrollment:search": Access(sco("search"), ok={SCO_STAFF}),
    "enrollment:verification": Access(sco("verification", "no-such-flow"), ok={SCO_STAFF}),
    "enrollment:certification": Access(sco("certification", "no-such-flow"), ok={SCO_STAFF}),
    "enrollment:disenrollment": Access(sco("disenrollment", "no-such-flow"), ok={SCO_STAFF}),
    "enrollment:confirmation": Access(sco("confirmation", txn_ref), ok={SCO_STAFF}),
    # API tokens (issue 18 §1): every signed-in user makes their own (posc/api/views.py);
    # revoking is POST only (405 to GET), another user's token is not found.
    "api:tokens": Access(to("api:tokens"), ok=SIGNED_IN),
    "api:token_revoke": Access(to("api:token_revoke", "1"), ok=SIGNED_IN),
    # The OpenAPI document and its page name no data: open, as the login page.
    "api-schema": Access(to("api-schema"), ok=SIGNED_IN, anonymous=OK),
    "api-docs": Access(to("api-docs"), ok=SIGNED_IN, anonymous=OK),
    # The API itself takes a Bearer token only: a session (any role) is 401, as no token.
    **{f"enrollment-api:{name}": Access(url, anonymous=UNAUTHENTICATED, others=UNAUTHENTICATED)
       for name, url in {
           "search": to("enrollment-api:search"), "enroll": to("enrollment-api:enroll"),
           "disenroll": to("enrollment-api:disenroll"),
           "transaction": to("enrollment-api:transaction", txn_ref),
           "batches": to("enrollment-api:batches"),
           "batch_download": to("enrollment-api:batch_download", lambda w: w.batch.pk),
           "acknowledgments": to("enrollment-api:acknowledgments")}.items()},
    # Any other address under /api/v1/: a problem 404 for everyone.
    "enrollment-api:not_found": Access(lambda w: "/api/v1/no-such-thing", anonymous=NOT_FOUND,
                                       others=NOT_FOUND),
    # Recoupments: provider staff of a non-plan provider (the hospital's request here).
    "recoupments:list": Access(to("recoupments:list"), ok={HOSPITAL}),
    "recoupments:submit": Access(to("recoupments:submit"), ok={HOSPITAL}),
    "recoupments:lines_template": Access(to("recoupments:lines_template"), ok={HOSPITAL}),
    "recoupments:detail": Access(to("recoupments:detail", recoupment_ref), ok={HOSPITAL}),
    "recoupments:resubmit": Access(to("recoupments:resubmit", recoupment_ref), ok={HOSPITAL}),
    "recoupments:denied_claim": Access(to("recoupments:denied_claim", recoupment_ref),
                                       ok={HOSPITAL}),
    # MCO Manual Tracker (seed 003): each step's role; the case is csr's, in the QC queue.
    "crm_tracker:home": Access(to("crm_tracker:home"), ok=TRACKER),
    "crm_tracker:case_list": Access(to("crm_tracker:case_list"), ok=TRACKER),
    "crm_tracker:case_new": Access(to("crm_tracker:case_new"), ok={CSR, SUPERUSER}),
    "crm_tracker:case_intake": Access(to("crm_tracker:case_intake", "mct-span"),
                                      ok={CSR, SUPERUSER}),
    # State Monitors see only the cases QC found true: this one is not.
    "crm_tracker:case_detail": Access(to("crm_tracker:case_detail", case_no),
                                      ok={CSR, QC, SUPERVISOR, SUPERUSER}, not_found={MONITOR}),
    "crm_tracker:case_vet": Access(to("crm_tracker:case_vet", case_no), ok={QC, SUPERUSER}),
    "crm_tracker:case_mmis": Access(to("crm_tracker:case_mmis", case_no), ok={SUPERUSER},
                                    not_found={MONITOR}),
    "crm_tracker:case_outreach": Access(to("crm_tracker:case_outreach", case_no),
                                        ok={SUPERVISOR, SUPERUSER}),
    "crm_tracker:qc_queue": Access(to("crm_tracker:qc_queue"), ok={QC, SUPERUSER}),
    # Bulk vetting from the QC Queue (POST only: 405 to GET).
    "crm_tracker:qc_vet_bulk": Access(to("crm_tracker:qc_vet_bulk"), ok={QC, SUPERUSER}),
    "crm_tracker:qc_report": Access(to("crm_tracker:qc_report"), ok={QC, SUPERUSER}),
    "crm_tracker:qc_report_export": Access(to("crm_tracker:qc_report_export", "csv"),
                                           ok={QC, SUPERUSER}),
    "crm_tracker:monitor_queue": Access(to("crm_tracker:monitor_queue"), ok={MONITOR, SUPERUSER}),
    "crm_tracker:monitor_export": Access(to("crm_tracker:monitor_export", "xlsx"),
                                         ok={MONITOR, SUPERUSER}),
    "crm_tracker:monitor_import": Access(to("crm_tracker:monitor_import"),
                                         ok={MONITOR, SUPERUSER}),
    "crm_tracker:outreach_queue": Access(to("crm_tracker:outreach_queue"),
                                         ok={SUPERVISOR, SUPERUSER}),
    "crm_tracker:team_cases": Access(to("crm_tracker:team_cases"), ok={SUPERVISOR, SUPERUSER}),
    "crm_tracker:supervisor_requested": Access(to("crm_tracker:supervisor_requested"),
                                               ok={SUPERVISOR, SUPERUSER}),
    "crm_tracker:reports": Access(to("crm_tracker:reports"), ok={QC, SUPERVISOR, SUPERUSER}),
}


def first_pk(label: str) -> Callable[[World], str]:
    """Return a builder of the pk of the model's first row (the world makes one of each).

    Not a made-up pk: for a missing object Django's admin redirects some pages before it
    checks the permission, which would hide a wrong permission.
    """

    def pk(w: World) -> str:
        value = (apps.get_model(label)._default_manager.order_by("pk")
                 .values_list("pk", flat=True).first())
        assert value is not None, f"the world has no {label} row: add one in world.py"
        return str(value)

    return pk


# The admin site: only staff enter (posc/admin.py: 403 for any other signed-in user).
ADMIN_SITE: dict[str, Access] = {
    "admin:index": Access(to("admin:index"), ok=STAFF),
    # The admin's login is the portal's (posc/admin.py): everyone is sent there.
    "admin:login": Access(to("admin:login"), others=LOGIN),
    "admin:logout": Access(to("admin:logout"), ok=STAFF),  # POST only: 405
    "admin:password_change": Access(to("admin:password_change"), ok=STAFF),
    "admin:password_change_done": Access(to("admin:password_change_done"), ok=STAFF),
    "admin:jsi18n": Access(to("admin:jsi18n"), ok=STAFF),
    # Autocomplete answers only for a model the user may view: ops may not view users.
    "admin:autocomplete": Access(
        lambda w: reverse("admin:autocomplete") + "?app_label=members&model_name=providerlink"
                                                  "&field_name=user", ok={SUPERUSER}),
    # No model here has get_absolute_url: staff get 404, never the object.
    "admin:view_on_site": Access(
        lambda w: reverse("admin:view_on_site",
                          args=[ContentType.objects.get_for_model(w.member).pk, w.member.pk]),
        not_found=STAFF),
    "admin:app_list": Access(to("admin:app_list", "members"), ok=STAFF),
    "admin/(?P<url>.*)$": Access(lambda w: reverse("admin:index") + "no-such-page/",
                                 not_found=STAFF),
    "admin:auth_user_password_change": Access(
        to("admin:auth_user_password_change", lambda w: w.users[CSR].pk), ok={SUPERUSER}),
    # Linking Member IDs: Enrollment Operations (posc/roles.py) and the superuser.
    "admin:members_member_link": Access(to("admin:members_member_link",
                                           lambda w: w.link.primary_id), ok=STAFF),
    "admin:members_member_unlink": Access(
        to("admin:members_member_unlink", lambda w: w.link.secondary_id, lambda w: w.link.pk),
        ok=STAFF),
    # Enrollment adjustments (issue 17 §1): Enrollment Operations' make_adjustment and
    # export_capitation permissions (enrollment/roles.py).
    "admin:enrollment_enrollmentadjustment_start": Access(
        lambda w: reverse("admin:enrollment_enrollmentadjustment_start")
        + f"?member={w.member.pk}", ok=STAFF),
    "admin:enrollment_enrollmentadjustment_make": Access(
        to("admin:enrollment_enrollmentadjustment_make", "retro-enroll", lambda w: w.member.pk),
        ok=STAFF),
    "admin:enrollment_capitationadjustment_export": Access(
        to("admin:enrollment_capitationadjustment_export"), ok=STAFF),
    "admin:recoupments_recoupment_move": Access(
        to("admin:recoupments_recoupment_move", lambda w: w.recoupment.pk, "confirm_complete"),
        ok=STAFF),
}

# What each role may do with each model in the admin: "view" covers the changelist, the
# change page (read-only without "change") and the history. Only staff enter the admin; of
# the roles, Enrollment Operations (posc/roles.py ROLE_PERMISSIONS); a superuser may do
# all that the ModelAdmin allows anyone (read-only admins refuse add, change and delete).
ADMIN_MODELS: dict[str, dict[str, str]] = {
    "auth.group": {SUPERUSER: "view add change delete"},
    "auth.user": {SUPERUSER: "view add change delete"},
    "axes.accessattempt": {SUPERUSER: "view change delete"},
    "axes.accesslog": {SUPERUSER: "view change delete"},
    "axes.accessfailurelog": {SUPERUSER: "view change delete"},
    "django_tasks_database.dbtaskresult": {SUPERUSER: "view"},
    "members.member": {OPS: "view", SUPERUSER: "view"},
    "members.plan": {OPS: "view add change", SUPERUSER: "view add change delete"},
    "members.provider": {SUPERUSER: "view add change delete"},
    "members.providerlink": {SUPERUSER: "view add change delete"},
    "members.ratecell": {OPS: "view add change", SUPERUSER: "view add change delete"},
    "members.enrollmentspan": {OPS: "view", SUPERUSER: "view"},
    "members.memberlink": {OPS: "view", SUPERUSER: "view"},
    "enrollment.enrollmenttransaction": {OPS: "view", SUPERUSER: "view"},
    "enrollment.batch834": {OPS: "view", SUPERUSER: "view"},
    # Enrollment adjustments and their capitation lines: history, made by services only.
    "enrollment.enrollmentadjustment": {OPS: "view", SUPERUSER: "view"},
    "enrollment.capitationadjustment": {OPS: "view", SUPERUSER: "view"},
    "crm_tracker.recordtype": {OPS: "view", SUPERUSER: "view add change delete"},
    "crm_tracker.category": {OPS: "view", SUPERUSER: "view add change delete"},
    "crm_tracker.subcategory": {OPS: "view", SUPERUSER: "view add change delete"},
    "crm_tracker.disposition": {OPS: "view", SUPERUSER: "view add change delete"},
    "crm_tracker.childdisposition": {OPS: "view", SUPERUSER: "view add change delete"},
    "crm_tracker.casestatus": {OPS: "view", SUPERUSER: "view add change delete"},
    "crm_tracker.queue": {OPS: "view", SUPERUSER: "view add change delete"},
    "crm_tracker.taxonomycombination": {OPS: "view", SUPERUSER: "view add change delete"},
    "crm_tracker.providertermination": {OPS: "view add change",
                                        SUPERUSER: "view add change delete"},
    "crm_tracker.supervisorassignment": {OPS: "view add change",
                                         SUPERUSER: "view add change delete"},
    "crm_tracker.case": {OPS: "view change", SUPERUSER: "view change"},
    "crm_tracker.casehistory": {OPS: "view", SUPERUSER: "view"},
    "recoupments.recoupment": {OPS: "view", SUPERUSER: "view"},
    "recoupments.editcode": {OPS: "view add change", SUPERUSER: "view add change"},
    "recoupments.mcecontact": {OPS: "view add change", SUPERUSER: "view add change delete"},
    # The audit log: read-only for everyone (HIPAA 45 CFR 164.312(b)).
    "audit.auditevent": {OPS: "view", SUPERUSER: "view"},
}
# The URLs Django's ModelAdmin gives each model, and the right each needs.
MODEL_URLS = {"changelist": "view", "add": "add", "change": "view", "history": "view",
              "delete": "delete"}


def admin_model_table() -> dict[str, Access]:
    """Expand ADMIN_MODELS into one Access per URL pattern of each registered model."""
    table = {}
    for label, rights in ADMIN_MODELS.items():
        app_label, model_name = label.split(".")
        prefix = f"admin:{app_label}_{model_name}"
        for suffix, right in MODEL_URLS.items():
            args = () if suffix in ("changelist", "add") else (first_pk(label),)
            table[f"{prefix}_{suffix}"] = Access(
                to(f"{prefix}_{suffix}", *args),
                ok=frozenset(role for role, granted in rights.items()
                             if right in granted.split()),
                post_ok=(frozenset(role for role, granted in rights.items()
                                   if suffix in granted.split())
                         if suffix in ("add", "change", "delete") else None))
        # <path:object_id>/ redirects any staff user to the change page (which checks).
        table[f"admin/{app_label}/{model_name}/<path:object_id>/"] = Access(
            lambda w, prefix=prefix, pk=first_pk(label): reverse(f"{prefix}_changelist")
            + f"{pk(w)}/", ok=STAFF)
    return table


TABLE: dict[str, Access] = PORTAL | ADMIN_SITE | admin_model_table()


def pattern_keys(resolver: URLResolver | None = None, prefix: str = "",
                 namespace: str = "") -> Iterator[str]:
    """Yield a key per URL pattern: ``namespace:name``, or the full route when unnamed."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from pattern_keys(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name
                   else prefix + str(pattern.pattern))


def outcome(response) -> str:
    """Return the outcome of a response, as the table names it."""
    if response.streaming:
        # Read to the end: the test client then closes it (closing it here would fire
        # request_finished, which closes the database connection of the test).
        b"".join(response.streaming_content)
    status = response.status_code
    if status in (301, 302):
        return LOGIN if urlsplit(response["Location"]).path == reverse("login") else OK
    return {200: OK, 405: OK, 403: DENIED, 404: NOT_FOUND}.get(status, str(status))


def test_every_url_pattern_is_in_the_access_table():
    keys = list(pattern_keys())
    assert len(keys) == len(set(keys)), "two URL patterns share a key"
    missing = [f"new URL {key}: add it to the access table" for key in keys if key not in TABLE]
    gone = [f"{key} is no longer a URL pattern: remove it from the table" for key in TABLE
            if key not in keys]
    assert not missing + gone, "\n".join(missing + gone)


def test_every_registered_admin_model_is_listed():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(TABLE))
def test_access(world, key):
    """One GET of the pattern's sample URL per role; every role's outcome as the table says."""
    access = TABLE[key]
    url = access.url(world)
    got = {role: outcome(world.client(role).get(url)) for role in ROLES}
    wrong = [f"{role}: expected {access.expected(role)}, got {got[role]}" for role in ROLES
             if got[role] != access.expected(role)]
    assert not wrong, f"GET {url} ({key})\n" + "\n".join(wrong)


# Open before the second factor (posc/mfa/middleware.py OPEN_URL_NAMES).
BEFORE_SECOND_FACTOR = frozenset({"login", "logout", "keep_alive", "mfa:verify", "mfa:setup",
                                  "mfa:recovery_codes"})


@pytest.mark.django_db
def test_with_mfa_required_no_page_opens_before_the_second_factor(world, settings):
    """HIPAA 45 CFR 164.312(d): every other pattern sends a signed-in user to set up an app."""
    settings.MFA_REQUIRED = True
    setup = reverse("mfa:setup")
    wrong = []
    for key in sorted(TABLE):
        url = TABLE[key].url(world)
        for role in (SCO_STAFF, SUPERUSER):
            response = world.client(role).get(url)
            where = urlsplit(response.get("Location", ""))
            # The gate keeps the URL asked for in next (the code page itself sends a user
            # without an app to the set-up too, but on to Home).
            sent = (response.status_code == 302 and where.path == setup
                    and parse_qs(where.query).get("next") == [url])
            if sent == (key in BEFORE_SECOND_FACTOR):
                wrong.append(f"{key} {url} as {role}: {response.status_code}")
            outcome(response)  # reads a streamed response to its end
    assert not wrong, "\n".join(wrong)


def post_cases() -> Iterator[tuple[str, str, str]]:
    """Yield (key, role, expected) for the POSTs: a role refused a page is refused a POST.

    Every portal pattern, for each role its GET refuses with 403 or the login page (a role
    whose area it is may get 405 or 404, another plan's object); each admin model's add, change
    and delete pages for the staff roles (Enrollment Operations may view a model it may
    not change) and for one non-staff role.
    """
    for key, access in TABLE.items():
        if access.post_ok is not None:
            for role in (ANONYMOUS, CSR, OPS, SUPERUSER):
                yield key, role, (access.expected(role) if role in (ANONYMOUS, CSR)
                                  else OK if role in access.post_ok else DENIED)
        elif key in PORTAL and access.anonymous != OK:
            for role in ROLES:
                if access.expected(role) in (DENIED, LOGIN):
                    yield key, role, access.expected(role)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted({key for key, _, _ in post_cases()}))
def test_post_access(world, key):
    """An empty POST per role: refused exactly where the table says (nothing is posted)."""
    url = TABLE[key].url(world)
    cases = [(role, expected) for k, role, expected in post_cases() if k == key]
    wrong = [f"{role}: expected {expected}, got {got}" for role, expected in cases
             if (got := outcome(world.client(role).post(url, {}))) != expected]
    assert not wrong, f"POST {url} ({key})\n" + "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("path, next_url", [
    ("/admin/members/member/?q=1", "/admin/members/member/?q=1"),
    ("/admin/login/?next=/admin/recoupments/recoupment/", "/admin/recoupments/recoupment/"),
    ("/admin/login/", "/admin/"),
])
def test_the_admin_sends_anonymous_users_to_the_portal_login(client, path, next_url):
    """One login page, one lockout path (posc/admin.py): the portal's, keeping ``next``."""
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    assert parse_qs(location.query)["next"] == [next_url]
