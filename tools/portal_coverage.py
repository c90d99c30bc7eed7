"""Which portal page uses each /api/v1 operation of the merged OpenAPI (issue 21: "portal pages for
every API capability that still lacks one"). Writes docs/portal-coverage.md:

    .venv/bin/python tools/portal_coverage.py > docs/portal-coverage.md

How it knows: it builds the three apps in-process (SQLite files in a temporary directory, nothing
shared), reads the merged document the gateway serves, then reads the portal's source
(services/gateway/gateway/portal) with `ast`: every string or f-string that resolves to an
/api/v1 path (module constants such as LP_API are followed), the method from the call it is the
first argument of (`.post(...)`, `.put(...)`, `.delete(...)`, else GET), and the portal routes
(`@bp.get("/...")`) of the functions that reach it. The gateway's own account operations are
called by name (`api().me()` ...), listed in ACCOUNT_CALLS. A path returned by a helper function
(`api().post(_url(pid))`) is not followed: the portal writes each path out where it is called
(lp_licences.py was not seen until it did). An operation no page uses is
classified in NOT_A_PAGE (why it needs none) or shown as a gap.

tests: services/gateway/tests/test_gateway_portal_coverage.py checks the committed document is
what this writes, so a new endpoint is classified when it is added.
"""

from __future__ import annotations

import ast
import pathlib
import re
import sys
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parents[1]
PORTAL = ROOT / "services" / "gateway" / "gateway" / "portal"
METHODS = ("get", "post", "put", "patch", "delete")
MAX_PAGES = 4  # routes named per operation (a shared read such as /api/v1/me reaches most pages)
WRITES = {"post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}

# the gateway's own account operations, which the portal calls by name (portal/client.py Api)
ACCOUNT_CALLS = {
    "me": ("GET", "/api/v1/me"),
    "sign_up": ("POST", "/api/v1/auth/register"),
    "sign_in": ("POST", "/api/v1/auth/login"),
    "sign_out": ("POST", "/api/v1/auth/logout"),
    "verify_email": ("POST", "/api/v1/auth/verify-email"),
    "resend_verification": ("POST", "/api/v1/auth/verify-email/resend"),
    "request_reset": ("POST", "/api/v1/auth/password-reset"),
    "change_password": ("POST", "/api/v1/auth/password"),
    "confirm_reset": ("POST", "/api/v1/auth/password-reset/confirm"),
}

# a placeholder that stands for a fixed set of segments: (module, expression) -> values
EXPANSIONS = {
    ("reads.py", "k"): ("members", "orders", "packages"),
    ("questionnaires.py", "c"): ("q-responses", "wheel-responses"),
    ("questionnaires.py", "collection"): ("q-responses", "wheel-responses"),
}

# operations that need no portal page, and why (anything else unused is a gap)
NOT_A_PAGE = {
    "POST /api/v1/auth/refresh": "token refresh for API clients; the portal signs in again",
    "POST /api/v1/learning-platform/completions": "machine-to-machine: the online learning platform's signed completion",
    "POST /api/v1/payments/webhook": "machine-to-machine: the card provider's signed webhook",
    "POST /api/v1/enrolments/{enrolment_id}/progress": "machine-to-machine: progress comes from the learning platform",
    "GET /api/v1/credentials/issuer": "verifier-facing: the issuer profile a verifier fetches",
    "GET /api/v1/credentials/issuer/jwks.json": "verifier-facing: the issuer's public keys",
    "GET /api/v1/credentials/status-lists/{list_id}": "verifier-facing: the status list a verifier fetches",
    "DELETE /api/v1/organisations/{organisation_id}/members/{member_id}": "the same as POST .../end (older clients)",
    "DELETE /api/v1/people/{person_id}/directory-entry": "the same as POST .../directory-entry/withdraw, which "
    "`/practitioner` uses",
    "GET /api/v1/interest/elements": "reference list for API clients: `/elements` shows the ten elements and "
    "posts an interest per element code",
    "GET /api/v1/training/audit": "API only by design: the audit trail is read by staff tools, not a page",
    "GET /api/v1/cic/audit": "API only by design: the audit trail is read by staff tools, not a page",
}

# a record's own read, where the page shows the record from the list (or parent record) it reads
DETAIL = "a record's own read: the page shows it from "
NOT_A_PAGE |= {
    "GET /api/v1/organisations/{organisation_id}/licences": DETAIL
    + "the organisation (`/organisations/<org_id>`)",
    "GET /api/v1/organisations/{organisation_id}/licences/{licence_id}": DETAIL
    + "the organisation's licences",
    "GET /api/v1/organisations/{organisation_id}/seats": DETAIL + "the organisation's seat summary",
    "GET /api/v1/orders/{order_id}": DETAIL + "the organisation's orders and the invoice page",
    "GET /api/v1/memberships/{membership_id}": DETAIL + "the list on `/memberships`",
    "GET /api/v1/enrolments/{enrolment_id}": DETAIL + "the learner's enrolments on `/learning`",
    "GET /api/v1/people/{person_id}/pathways/{role}": DETAIL + "all pathways on `/practitioner`",
    "GET /api/v1/people/{person_id}/pathway-items": DETAIL + "the pathways on `/practitioner`",
    "GET /api/v1/organisations/{organisation_id}/packages/{package_id}": DETAIL
    + "the organisation's packages",
    "GET /api/v1/practitioner-licences/{licence_id}": DETAIL + "the person's licences on `/practitioner`",
    "GET /api/v1/lead-professionals/applications/{application_id}/obligations": DETAIL
    + "the application (its `obligations`) on `/lead-professional`",
    "GET /api/v1/training/community-wheel/audits/{audit_id}": DETAIL
    + "the audits on the community audit page",
    "GET /api/v1/seat-transfers/{transfer_id}": DETAIL + "the list on `/admin/seat-transfers`",
    "GET /api/v1/people/{person_id}/credentials": DETAIL + "each certification's credential link",
    "GET /api/v1/consultations/{cid}": DETAIL + "the list on `/cic`",
    "GET /api/v1/fund/rounds/{round_id}": DETAIL + "the rounds on `/cic`",
    "GET /api/v1/fund/applications/{app_id}": DETAIL + "the applications on `/cic`",
    "GET /api/v1/fund/gifts/{gift_id}": DETAIL + "the gifts on `/cic/finance`",
    "GET /api/v1/hubs/{hub_id}": DETAIL + "the list on `/cic/hubs`",
}


def merged_document() -> dict:
    """The merged OpenAPI as the gateway serves it, from the three apps made here."""
    for sub in ("tests", "shared", "services/training", "services/cic-tracker", "services/gateway"):
        sys.path.insert(0, str(ROOT / sub))
    from werkzeug.serving import make_server

    from cic_tracker import create_app as cic_app
    from gateway import create_app as gateway_app
    from support import testing as t
    from training import create_app as training_app

    keys = t.KeyPair()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="portal-coverage-"))
    common = {"TESTING": True, "ACCESS_LOG": False, "JWT_PUBLIC_KEY": keys.public}
    apps = [
        training_app(
            {
                **common,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/t.db",
                "EVENTS_EMBEDDED_PATH": f"{tmp}/te.db",
            }
        ),
        cic_app(
            {
                **common,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/c.db",
                "EVENTS_EMBEDDED_PATH": f"{tmp}/ce.db",
            }
        ),
    ]
    servers = []
    for app in apps:
        with app.app_context():
            app.extensions["sqlalchemy"].create_all()
        servers.append(make_server("127.0.0.1", 0, app, threaded=True))
        threading.Thread(target=servers[-1].serve_forever, daemon=True).start()
    try:
        gw = gateway_app(
            {
                "TESTING": True,
                "ACCESS_LOG": False,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/g.db",
                "JWT_PRIVATE_KEY_FILE": str(tmp / "private.pem"),
                "JWT_PUBLIC_KEY_FILE": str(tmp / "public.pem"),
                "TRAINING_URL": f"http://127.0.0.1:{servers[0].server_port}",
                "CIC_URL": f"http://127.0.0.1:{servers[1].server_port}",
            }
        )
        with gw.app_context():
            gw.extensions["sqlalchemy"].create_all()
        doc = gw.test_client().get("/api/v1/openapi.json").get_json()
        assert doc["x-services-missing"] == [], doc["x-services-missing"]
        return doc
    finally:
        for server in servers:
            server.shutdown()
        for app in apps:
            with app.app_context():
                app.extensions["sqlalchemy"].engine.dispose()


def operations(doc: dict) -> list[tuple[str, str, str]]:
    """(METHOD, path, operationId) of every /api/v1 operation, in the document's order."""
    return [
        (m.upper(), path, item[m].get("operationId", ""))
        for path, item in doc["paths"].items()
        for m in METHODS
        if m in item and path.startswith("/api/v1/")
    ]


# -- reading the portal's source -------------------------------------------------------------------


def _constants(trees: dict[str, ast.Module]) -> dict[str, str]:
    """Module-level NAME = "..." string constants of every portal module (LP_API, PM_API ...)."""
    out = {}
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                if isinstance(node.value.value, str):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            out.setdefault(target.id, node.value.value)
    return out


def _pattern(node, consts: dict[str, str], module: str) -> str | None:
    """A regex for the path a string or f-string makes, or None when it is not an /api/v1 path."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.split("?")[0]
        parts = [re.escape(text)]
    elif isinstance(node, ast.JoinedStr):
        parts, text = [], ""
        for v in node.values:
            if isinstance(v, ast.Constant):
                literal, query, _ = v.value.partition("?")
                parts.append(re.escape(literal))
                text += literal
                if query or literal != v.value:
                    break  # the query string is not part of the path
            elif isinstance(v, ast.FormattedValue):
                expr = ast.unparse(v.value)
                if isinstance(v.value, ast.Name) and v.value.id in consts:
                    parts.append(re.escape(consts[v.value.id]))
                    text += consts[v.value.id]
                elif (module, expr) in EXPANSIONS:
                    parts.append("(?:" + "|".join(map(re.escape, EXPANSIONS[(module, expr)])) + ")")
                    text += "{}"
                else:
                    parts.append("[^/]+")
                    text += "{}"
    elif isinstance(node, ast.Name) and node.id in consts:
        return _pattern(ast.Constant(consts[node.id]), consts, module)
    else:
        return None
    if not text.startswith("/api/v1/") or " " in text:
        return None
    return "".join(parts)


class _Reader(ast.NodeVisitor):
    def __init__(self, module: str, consts: dict[str, str]):
        self.module, self.consts = module, consts
        self.func: str | None = None
        self.uses: list[tuple[str, str, str]] = []  # (METHOD, regex, function)
        self.calls: dict[str, set[str]] = {}  # function -> names it calls
        self.routes: dict[str, list[str]] = {}  # function -> its portal routes
        self._method_of: dict[int, str] = {}
        self.indirect: dict[str, set[str]] = {}  # function -> methods it sends to a path variable
        self.imported: set[str] = set()  # names this module imports from another portal module

    def visit_ImportFrom(self, node):
        if node.level:  # a relative import: another module of the portal
            self.imported |= {a.asname or a.name for a in node.names}

    def visit_FunctionDef(self, node):
        outer, self.func = self.func, node.name if self.func is None else self.func
        for d in node.decorator_list:
            if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.args:
                if isinstance(d.args[0], ast.Constant) and d.func.attr in ("get", "post", "route"):
                    self.routes.setdefault(node.name, []).append(d.args[0].value)
        self.generic_visit(node)
        self.func = outer

    def visit_Call(self, node):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if self.func and name:
            self.calls.setdefault(self.func, set()).add(name)
        if isinstance(f, ast.Attribute) and f.attr in ACCOUNT_CALLS and not node.args[1:]:
            self.uses.append(
                (*ACCOUNT_CALLS[f.attr][:1], re.escape(ACCOUNT_CALLS[f.attr][1]), self.func or "")
            )
        if isinstance(f, ast.Attribute) and f.attr in WRITES and node.args:
            self._method_of[id(node.args[0])] = WRITES[f.attr]
            held = isinstance(node.args[0], (ast.Subscript, ast.Name, ast.Attribute))
            if held and _pattern(node.args[0], self.consts, self.module) is None and self.func:
                # a write to a path held in a variable (profile.py: src["path"]): the function's paths
                self.indirect.setdefault(self.func, set()).add(WRITES[f.attr])
        self.generic_visit(node)

    def _path(self, node):
        pattern = _pattern(node, self.consts, self.module)
        if pattern:
            self.uses.append((self._method_of.get(id(node), "GET"), pattern, self.func or ""))

    def visit_JoinedStr(self, node):
        self._path(node)  # its parts are not paths of their own

    def visit_Constant(self, node):
        if self.func is not None:  # module constants are followed where they are used
            self._path(node)

    def visit_Name(self, node):
        if self.func is not None and node.id in self.consts and isinstance(node.ctx, ast.Load):
            self._path(node)


def portal_uses() -> list[tuple[str, str, str, list[str]]]:
    """(METHOD, path regex, module, portal routes that reach it) of every API call in the portal."""
    files = sorted(PORTAL.glob("*.py")) + sorted((PORTAL / "pages").glob("*.py"))
    trees = {p.name: ast.parse(p.read_text()) for p in files}
    consts = _constants(trees)
    readers = {}
    for name, tree in trees.items():
        r = _Reader(name, consts)
        r.visit(tree)
        readers[name] = r

    public_routes: dict[str, set[str]] = {}  # a public function name -> the routes that reach it

    def reach(r: _Reader, func: str, seen=None) -> set[str]:
        seen = seen if seen is not None else set()
        if (r.module, func) in seen:
            return set()
        seen.add((r.module, func))
        out = set(r.routes.get(func, []))
        for caller, called in r.calls.items():
            if func in called:
                out |= reach(r, caller, seen)
        if not func.startswith("_"):  # a shared helper (reads, reference ...): its callers elsewhere
            for other in readers.values():
                if other is not r and func in other.imported:
                    for caller, called in other.calls.items():
                        if func in called:
                            out |= reach(other, caller, seen)
        return out

    uses = []
    for r in readers.values():
        # a path variable written to: the paths of the function and of those it calls in its module
        extra = [
            (m, p, writer)
            for writer, methods in r.indirect.items()
            for _, p, f in r.uses
            if f == writer or f in r.calls.get(writer, ())
            for m in methods
        ]
        for method, pattern, func in r.uses + extra:
            key = (r.module, func)
            if key not in public_routes:  # a module-level path (downloads.PATHS): the module's pages
                public_routes[key] = reach(r, func) if func else {x for rs in r.routes.values() for x in rs}
            uses.append((method, pattern, r.module, sorted(public_routes[key])))
    return uses


def _matches(pattern: str, path: str) -> bool:
    """A portal path regex against an OpenAPI template: either the portal's pattern matches the
    template with each {x} filled in, or the template (each {x} any one segment) matches the
    portal's path with each placeholder filled in (a constant such as INFORMAL_Q in a {x} place)."""
    concrete = re.sub(r"\{[^}]+\}", "x0", path)
    if re.fullmatch(pattern, concrete) or re.fullmatch(pattern, path):
        return True
    template = "".join(
        "[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]+\})", path)
    )
    sample = pattern.replace("[^/]+", "x0")
    sample = re.sub(r"\(\?:([^|)]*)(?:\|[^)]*)?\)", r"\1", sample)
    sample = re.sub(r"\\(.)", r"\1", sample)
    return re.fullmatch(template, sample) is not None


def coverage(doc: dict) -> list[dict]:
    uses = portal_uses()
    rows = []
    for method, path, op_id in operations(doc):
        pages, modules = set(), set()
        for m, pattern, module, routes in uses:
            if m == method and _matches(pattern, path):
                modules.add(module)
                pages |= set(routes)
        key = f"{method} {path}"
        status = "page" if modules else ("no page needed" if key in NOT_A_PAGE else "GAP")
        rows.append(
            {
                "method": method,
                "path": path,
                "operation_id": op_id,
                "status": status,
                "pages": sorted(pages),
                "modules": sorted(modules),
                "why": NOT_A_PAGE.get(key, "") if status == "no page needed" else "",
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    counts = {s: sum(r["status"] == s for r in rows) for s in ("page", "no page needed", "GAP")}
    out = [
        "# Portal coverage of the API",
        "",
        "Every `/api/v1` operation of the merged OpenAPI (gateway `GET /api/v1/openapi.json`) and the",
        "portal page that uses it (issue 21). Generated by `tools/portal_coverage.py` from the portal's",
        "source; `services/gateway/tests/test_gateway_portal_coverage.py` fails when this file is not",
        "what the tool writes, so a new endpoint is classified when it is added. Regenerate with",
        "`.venv/bin/python tools/portal_coverage.py > docs/portal-coverage.md`.",
        "",
        f"**{len(rows)} operations: {counts['page']} used by a portal page, {counts['no page needed']} need "
        f"no page (machine-to-machine, verifier-facing, API only by design, or a record read from its list), {counts['GAP']} without a page "
        "yet (listed at the end).**",
        "",
        "Status: **page** (a portal page calls it; the page routes and portal modules are named),",
        "**no page needed** (why), **GAP** (a user-facing capability with no page yet).",
        "",
        "| Operation | operationId | Status | Portal pages (module) |",
        "|---|---|---|---|",
    ]
    for r in rows:
        shown = r["pages"][:MAX_PAGES]
        where = ", ".join(f"`{p}`" for p in shown) or "—"
        if len(r["pages"]) > MAX_PAGES:
            where += f" and {len(r['pages']) - MAX_PAGES} more"
        if r["modules"]:
            where += " (" + ", ".join(m.removesuffix(".py") for m in r["modules"]) + ")"
        if r["status"] == "no page needed":
            where = r["why"]
        out.append(f"| `{r['method']} {r['path']}` | `{r['operation_id']}` | {r['status']} | {where} |")
    gaps = [r for r in rows if r["status"] == "GAP"]
    out += ["", "## Without a page yet", ""]
    out += [f"- `{r['method']} {r['path']}`" for r in gaps] or ["None."]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown(coverage(merged_document())))
