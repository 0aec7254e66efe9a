"""Walk the panels through the test client, as a clerk following the job aids would."""

from django.urls import reverse


def search(client, slug: str, member, provider_id: str, **overrides):
    """Post the Member Search panel for *member*; return the response (not followed)."""
    data = {"provider_id": provider_id, "member_id": member.member_id,
            "last_name": member.last_name, "first_name": member.first_name, **overrides}
    return client.post(reverse("enrollment:search", kwargs={"program": slug}), data)


def panel_token(client, slug: str, panel: str) -> str:
    """Return the one-time token the panel's form carries."""
    response = client.get(reverse(f"enrollment:{panel}", kwargs={"program": slug}))
    return response.context["form"]["token"].value()


def reach_certification(client, slug: str, member, provider_id: str) -> str:
    """Search and Confirm; return the Certification panel's one-time token."""
    search(client, slug, member, provider_id)
    client.post(reverse("enrollment:verification", kwargs={"program": slug}))
    return panel_token(client, slug, "certification")


def enroll(client, slug: str, member, provider_id: str):
    """Search, Confirm, certify and Submit; return the Submit response (not followed)."""
    token = reach_certification(client, slug, member, provider_id)
    return client.post(reverse("enrollment:certification", kwargs={"program": slug}),
                       {"token": token, "certify": "on"})


def disenroll(client, slug: str, member, provider_id: str, reason: str = "MBR_REQ"):
    """Search, pick the reason and Submit; return the Submit response (not followed)."""
    search(client, slug, member, provider_id)
    token = panel_token(client, slug, "disenrollment")
    return client.post(reverse("enrollment:disenrollment", kwargs={"program": slug}),
                       {"token": token, "reason": reason})
