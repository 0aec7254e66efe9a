"""API tokens in Chromium (issue 18 §1): the banner's link, make a token (shown once), call
the API with it, revoke it. Each page is checked with axe-core and the label check."""

from playwright.sync_api import expect

from tests.browser.pages import Walk, button, click, field, log_in


def test_make_use_and_revoke_a_token(page):
    walk = Walk(page, "api_tokens")
    log_in(walk, "cca.sco")
    click(page.get_by_role("link", name="API tokens", exact=True))
    walk.panel("api_tokens", "API tokens")
    field(page, "Token name").fill("browser walk")
    field(page, "Expires after").select_option(label="30 days")
    click(button(page, "Make token"))
    walk.panel("token_made", "API tokens")
    secret = page.locator("#api-token-secret").inner_text().strip()
    assert secret.startswith("posc_")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert page.request.get("/api/v1/batches", headers=bearer).status == 200
    page.goto("/account/api-tokens/")
    expect(page.locator("#api-token-secret")).to_have_count(0)  # shown once
    click(button(page, "Revoke browser walk"))
    walk.panel("token_revoked", "API tokens")
    expect(page.get_by_role("main")).to_contain_text("Revoked")
    refused = page.request.get("/api/v1/batches", headers=bearer)
    assert refused.status == 401 and refused.json()["code"] == "TOKEN_REVOKED"
