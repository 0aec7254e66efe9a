"""Dump the HTML every demo role sees, masked where it changes per request, to compare two
versions of the portal (docs/performance.md: a speed change must not change a page).

    psql -h 127.0.0.1 -U postgres -c 'create database posc_bench_html'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/posc_bench_html
    (cd OLD_CHECKOUT && PYTHONPATH=$PWD $OLDPWD/.venv/bin/python bench/pages_html.py /tmp/old.json)
    PYTHONPATH=$PWD .venv/bin/python bench/pages_html.py /tmp/new.json
    cmp /tmp/old.json /tmp/new.json

Test settings (no second factor); seeds the demo data once (seed_demo). Pages: each demo
account's home and every link of its left menu, and for each Member Search the panel a
search of the first twelve named demo members opens. Masked: CSRF tokens, flow ids, page
seals, one-time tokens, UUIDs and the idle countdown. PYTHONPATH decides which checkout's
code runs (the virtualenv installs the project in editable mode).
"""

import json
import os
import re
import sys

os.environ["DJANGO_SETTINGS_MODULE"] = "posc.settings.test"

MASKS = (
    (r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF"),
    (r"/flow/[-\w]+/", "/flow/X/"),
    (r'name="seal" value="[^"]+"', "SEAL"),
    (r'name="token" value="[^"]+"', "TOKEN"),
    (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID"),
    (r'data-idle-left="\d+"', "IDLE"),
)


def masked(html: str) -> str:
    for pattern, mask in MASKS:
        html = re.sub(pattern, mask, html)
    return html


def ready() -> None:
    """Set Django up on DATABASE_URL, migrate it and seed the demo data once."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not get_user_model().objects.filter(username="cca.sco").exists():
        settings.DEBUG = True  # seed_demo makes the demo accounts only in development
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", verbosity=0, stdout=quiet)
        settings.DEBUG = False


def pages() -> dict[str, str]:
    """Return status and masked HTML of every page of every demo account, by request."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from posc.members.demo import DEMO_ACCOUNTS, NAMED_MEMBERS

    out = {}
    for account in DEMO_ACCOUNTS:
        client = Client()
        client.force_login(get_user_model().objects.get(username=account.username))
        home = client.get("/").content.decode()
        menu = home[home.find('<nav class="left-menu"'):home.find("</nav>")]
        for url in ["/", *sorted(set(re.findall(r'href="(/[^"]*)"', menu)))]:
            response = client.get(url)
            out[f"{account.username} GET {url}"] = (
                f"{response.status_code} {masked(response.content.decode(errors='replace'))}")
            if not url.endswith("/search/"):
                continue
            for member in NAMED_MEMBERS[:12]:
                response = client.post(url, {
                    "provider_id": account.provider_id, "member_id": member.member_id,
                    "last_name": member.last_name, "first_name": member.first_name})
                key = f"{account.username} POST {url} {member.member_id}"
                if response.status_code == 302:
                    panel = client.get(response["Location"])
                    out[key] = (f"302 {masked(response['Location'])} -> {panel.status_code} "
                                f"{masked(panel.content.decode())}")
                else:
                    out[key] = f"{response.status_code} {masked(response.content.decode())}"
    return out


def main() -> None:
    if len(sys.argv) != 2 or not os.environ.get("DATABASE_URL"):
        sys.exit("usage: DATABASE_URL=… python bench/pages_html.py OUT.json")
    ready()
    out = pages()
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
    print(f"{len(out)} pages written to {sys.argv[1]}")


if __name__ == "__main__":
    main()
