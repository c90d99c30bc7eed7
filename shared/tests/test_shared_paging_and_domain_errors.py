"""The one paging helper (rows_page / query_page) and the domain errors services raise
(InvalidInput, LimitReached), rendered at the edge as the problem+json bodies they replace."""

import sqlalchemy as sa
from flask import Flask, json
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from imatter_shared.web import errors
from imatter_shared.web.errors import ApiError, InvalidInput, LimitReached
from imatter_shared.web.paging import query_page, rows_page


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


def _session():
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    s = Session(engine)
    s.add_all([Thing(id=i, name=f"t{i:02d}") for i in range(1, 26)])
    s.commit()
    return s


def test_rows_page_gives_one_page_and_the_total():
    s = _session()
    stmt = sa.select(Thing).order_by(Thing.id)
    rows, total = rows_page(s, stmt, 2, 10)
    assert total == 25 and [t.id for t in rows] == list(range(11, 21))
    rows, total = rows_page(s, sa.select(Thing.id, Thing.name).order_by(Thing.id), 3, 10)
    assert total == 25 and [tuple(r) for r in rows] == [(i, f"t{i:02d}") for i in range(21, 26)]
    body = query_page(s, stmt.where(Thing.id > 20), {"page": 1, "per_page": 2}, view=lambda t: t.name)
    assert body == {"items": ["t21", "t22"], "total": 5, "page": 1, "per_page": 2}


def _render(exc):
    app = Flask(__name__)
    with app.test_request_context("/x"):
        r = errors.handle_api_error(exc)
        return r.status_code, dict(r.headers), json.loads(r.get_data())


def test_domain_errors_render_as_the_http_errors_they_replace():
    assert _render(InvalidInput("person_id", "No person with that id.", detail="Unknown person.")) == _render(
        ApiError("Unknown person.", 400, errors={"person_id": ["No person with that id."]})
    )
    many = {"a": ["x"], "b": ["y"]}
    assert _render(InvalidInput(None, detail="Name one.", errors=many)) == _render(
        ApiError("Name one.", 400, errors=many)
    )
    status, headers, body = _render(LimitReached("Try again tomorrow.", retry_after=3600))
    assert (status, headers["Retry-After"], body["detail"]) == (429, "3600", "Try again tomorrow.")
    assert (status, headers, body) == _render(
        ApiError("Try again tomorrow.", 429, headers={"Retry-After": "3600"})
    )
