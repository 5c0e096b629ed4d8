"""Input from requests, refused clearly when malformed, never a 500: ids and numbers, and page forms.

A 20-digit id in a URL or `?page=99999999999999999999` used to reach the database and fail there
(an integer column holds at most 2**31 - 1 on PostgreSQL). Ids beyond that simply do not exist
(404); query numbers outside their range are a bad request (400).
"""

from urllib.parse import urlsplit

from flask import abort, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # Flask-WTF's marker for "read the request"
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value of an INTEGER column (PostgreSQL int4)
MAX_PAGE = 100_000  # of a paged list: far past any real list, and page × size stays a small number


class IdConverter(IntegerConverter):
    """`<int:…>` in a URL: a whole number from 0 to MAX_ID; a longer one does not match (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def int_arg(name: str, default: int, low: int = 0, high: int = MAX_ID, source=None) -> int:
    """Read a whole number from the query string (or a form), refusing text and values out of range with 400."""
    raw = (source if source is not None else request.args).get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, f"参数 {name} 须为整数")
    if not low <= value <= high:
        abort(400, f"参数 {name} 须在 {low} 到 {high} 之间")
    return value


def refuse_nul_characters() -> None:
    """Refuse a request whose path, query, form fields or JSON body holds a NUL character (400).

    PostgreSQL cannot store or even compare text with NUL, so such a value failed deep in a query;
    no legitimate value has one. Uploaded files are not looked at here (binary files hold NULs; the
    import checks them itself).
    """
    fields = [request.path, *(v for values in request.args.listvalues() for v in values)]
    if request.form:
        fields += [v for values in request.form.listvalues() for v in values]
    if any("\x00" in field for field in fields) or (request.is_json and b"\\u0000" in request.get_data(cache=True)):
        abort(400, "请求中含有不允许的控制字符（NUL）")


def init_inputs(app) -> None:
    """Make `<int:…>` in every route a bounded id (before any blueprint adds its routes), and refuse NULs."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_characters)


class PageForm(FlaskForm):
    """A page's form: it reads posted form fields only, never a JSON body (the API checks its own).

    Flask-WTF otherwise fills a form from a JSON body, where a list or a number sent for a text
    field broke the validators with a 500.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.is_json and not request.form and not request.files:
                return None
            return super().wrap_formdata(form, formdata)


def safe_next(target: str | None, default_endpoint: str = "main.home") -> str:
    """Return a local path to go on to (a form's or link's `next`); never another site."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and urlsplit(target).netloc == ""):
        return target
    return url_for(default_endpoint)
