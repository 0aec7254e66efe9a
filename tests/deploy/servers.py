"""Real servers for the deployment tests: gunicorn, PgBouncer, and a small HTTP browser.

The servers run as subprocesses on free loopback ports against the test database, so the
data a test makes must be committed (transactional_db). The browser follows the pages'
own links, forms and redirects, as a clerk does, so no panel URL is written here.
"""

import functools
import html.parser
import http.client
import http.cookies
import os
import pwd
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit

from django.contrib.auth.hashers import Argon2PasswordHasher
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.otp import authenticator_code

ROOT = Path(__file__).resolve().parents[2]
PGBOUNCER = "/usr/sbin/pgbouncer"  # Debian's package (apt-get install pgbouncer; .ci/run)
PASSWORD = "posc-deploy-test-pw"


def free_port() -> int:
    """Return a TCP port nobody listens on at 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(db: dict, *, host: str | None = None, port: int | None = None) -> str:
    """Return a DATABASE_URL for the database of *db* (a settings_dict), or its pooler's."""
    auth = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        auth += f":{quote(db['PASSWORD'], safe='')}"
    host = host if host is not None else db["HOST"] or ""
    port = port if port is not None else db["PORT"]
    # posc/settings/base.py unquotes the host: a socket directory travels percent-encoded.
    return f"postgres://{auth}@{quote(host, safe='')}{f':{port}' if port else ''}/{db['NAME']}"


@functools.cache
def _production_hash() -> str:
    hasher = Argon2PasswordHasher()
    return hasher.encode(PASSWORD, hasher.salt())


def production_password(user) -> None:
    """Give *user* PASSWORD hashed as production hashes (the test settings use MD5).

    One hash serves every user: Argon2 is slow by design, and the salt guards nothing here.
    """
    user.password = _production_hash()
    user.save(update_fields=["password"])
    # Production asks every account for a second factor (MFA_REQUIRED): an authenticator app.
    TOTPDevice.objects.get_or_create(user=user, defaults={"name": "Authenticator app",
                                                          "confirmed": True})


def production_env(tmp_path: Path, *, database: str, static_root: Path, **extra) -> dict:
    """Return the environment of a production process: production settings, no default."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DB_", "POSC_", "CONN_"))}
    env.update(DJANGO_SETTINGS_MODULE="posc.settings.production",
               DJANGO_SECRET_KEY="deploy-test-" + os.urandom(32).hex(),
               DJANGO_ALLOWED_HOSTS="127.0.0.1", DATABASE_URL=database,
               DJANGO_STATIC_ROOT=str(static_root), POSC_X12_OUTBOX=str(tmp_path / "834"),
               **extra)
    return env


def collectstatic(env: dict) -> subprocess.CompletedProcess:
    """Run the README's `manage.py collectstatic --noinput` in *env*."""
    return subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


class Server:
    """A subprocess listening on a loopback port, its output kept in a log file."""

    def __init__(self, name: str, args: list[str], *, port: int, log: Path, env=None):
        self.name, self.port, self.log = name, port, log
        self._out = open(log, "w")
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._out,
                                     stderr=subprocess.STDOUT)
        self._wait_listening()

    def output(self) -> str:
        return self.log.read_text()

    def _wait_listening(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, f"{self.name} exited:\n{self.output()}"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, f"{self.name} never listened:\n{self.output()}"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


def gunicorn(env: dict, tmp_path: Path, *, workers: int = 2) -> Server:
    """Start the README's gunicorn (gunicorn.conf.py read from the checkout) on a free port."""
    port = free_port()
    args = [sys.executable, "-m", "gunicorn", "posc.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--access-logfile", "-"]
    # gunicorn 25+ opens a control socket under $HOME/.gunicorn: one per test, not one shared.
    env = {**env, "HOME": str(tmp_path)}
    return Server("gunicorn", args, port=port, log=tmp_path / "gunicorn.log", env=env)


def pgbouncer(db: dict, tmp_path: Path) -> Server:
    """Start Debian's PgBouncer in transaction pooling in front of the database of *db*."""
    assert Path(PGBOUNCER).is_file(), (
        f"{PGBOUNCER} is missing: install Debian's pgbouncer (apt-get install -y pgbouncer; "
        ".ci/run does) to run the PgBouncer test")
    port = free_port()
    server = [f"dbname={db['NAME']}", f"user={db['USER']}"]
    if db["HOST"]:
        server.append(f"host={db['HOST']}")
    if db["PORT"]:
        server.append(f"port={db['PORT']}")
    if db["PASSWORD"]:
        server.append(f"password={db['PASSWORD']}")
    ini = tmp_path / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"{db['NAME']} = {' '.join(server)}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        # Clients are not checked (loopback, test only); every server login is db's USER.
        "auth_type = any\n"
        "pool_mode = transaction\n"
        "max_client_conn = 200\n"
        "default_pool_size = 10\n")
    args = [PGBOUNCER, str(ini)]
    if os.getuid() == 0:  # PgBouncer refuses to run as root; it reads its ini before switching
        args[1:1] = ["-u", _unprivileged_user(db["HOST"])]
    return Server("pgbouncer", args, port=port, log=tmp_path / "pgbouncer.log")


def _unprivileged_user(host: str) -> str:
    """Return who runs PgBouncer: the socket directory's owner (the embedded server's user,
    who may reach its socket), else postgres or nobody."""
    if host.startswith("/"):
        owner = pwd.getpwuid(os.stat(host).st_uid).pw_name
        if owner != "root":
            return owner
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise AssertionError("no postgres or nobody user to run PgBouncer as")


# ----------------------------------------------------------------------------- browsing

@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # what the browser sends as it is
    names: set[str] = field(default_factory=set)  # every named control


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def links(self) -> dict[str, str]:
        """Return the page's links, text -> href."""
        parser = _Parser()
        parser.feed(self.text)
        return parser.links

    def form(self, *names: str) -> Form:
        """Return the page's form that has all the controls *names* (its first one if none)."""
        parser = _Parser()
        parser.feed(self.text)
        forms = [f for f in parser.forms if set(names) <= f.names
                 and urlsplit(f.action).path != "/logout/"]
        assert forms, f"no form with {names} on {self.url}:\n{self.text}"
        return forms[0]


class _Parser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self.links: dict[str, str] = {}
        self._form: Form | None = None
        self._select: str | None = None
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "a" and "href" in a:
            self._href, self._text = a["href"], []
        elif self._form is not None and tag in ("input", "select", "textarea") and a.get("name"):
            name = a["name"]
            self._form.names.add(name)
            kind = a.get("type", "text").lower()
            if tag == "select":
                self._select = name
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self._form.fields[name] = a.get("value", "")
        elif tag == "option" and self._select is not None and "selected" in a:
            self._form.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "a" and self._href is not None:
            self.links[" ".join("".join(self._text).split())] = self._href
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


class Browser:
    """A browser behind the TLS proxy: X-Forwarded-Proto https, cookies kept as a browser does.

    Production sets SECURE_PROXY_SSL_HEADER, so these requests are HTTPS to Django: no SSL
    redirect, Secure cookies, and the CSRF check compares Origin with https://<host>.
    """

    def __init__(self, port: int, *, https: bool = True):
        self.port, self.https = port, https
        self.host = f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, data: dict | None = None) -> Page:
        path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        headers = {"Host": self.host, "User-Agent": "posc-deploy-test"}
        if self.https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(data or {})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Page(url=path, status=response.status,
                        headers={k.lower(): v for k, v in response.getheaders()}, body=content)
        finally:
            conn.close()

    def get(self, url: str, *, follow: bool = True) -> Page:
        page = self.request("GET", url)
        return self._follow(page) if follow else page

    def submit(self, page: Page, form: Form, **values: str) -> Page:
        """Submit *form* of *page* with *values* over its own; follow the redirects."""
        action = urljoin(page.url, form.action) if form.action else page.url
        response = self.request(form.method.upper(), action, {**form.fields, **values})
        return self._follow(response)

    def _follow(self, page: Page) -> Page:
        for _ in range(10):
            if page.status not in (301, 302, 303):
                return page
            page = self.request("GET", urljoin(page.url, page.headers["location"]))
        raise AssertionError(f"too many redirects from {page.url}")

    def sign_in(self, username: str, password: str = PASSWORD) -> Page:
        login = self.get("/login/")
        assert login.status == 200, login.text
        home = self.submit(login, login.form("username", "password"),
                           username=username, password=password)
        if "Enter your verification code" in home.text:
            home = self.submit(home, home.form("code"), code=authenticator_code(username))
        assert home.status == 200 and f"Signed in as <strong>{username}</strong>" in home.text, (
            home.status, home.text)
        return home
