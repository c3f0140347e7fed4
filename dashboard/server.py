"""The dashboard as served: the Streamlit app plus two routes that own the login cookie.

``yuqing dashboard`` runs ``streamlit run dashboard/server.py``; Streamlit finds ``app`` (an
``st.App``, its maintained way to add routes) and serves ``app.py`` as before. A page script
cannot set an ``HttpOnly`` cookie, so after a login the page posts a one-time code to
``/_yuqing/session`` and this route answers with the cookie (``HttpOnly``, ``SameSite=Strict``,
``Secure`` when the request came over HTTPS, directly or through a proxy that says so);
``/_yuqing/logout`` clears it. The session's server-side record (``session_store``) is what
decides whether a cookie still logs in.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.config import load_config
from dashboard import session_cookie, session_store

APP = Path(__file__).resolve().parent / "app.py"
MAX_CODE = 200


def _store() -> Path:
    settings = load_config(os.environ.get("YUQING_CONFIG", "yuqing.yaml"))
    return session_store.store_file(settings.archive.path)


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


async def set_session(request: Request) -> Response:
    code = (await request.body())[:MAX_CODE].decode("ascii", errors="replace")
    found = session_store.redeem(_store(), code, time.time())
    if found is None:
        return Response("unknown or expired code", status_code=403)
    token, max_age = found
    response = Response(status_code=204)
    response.headers["Set-Cookie"] = session_cookie.cookie_header(token, max_age, _secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


async def clear_session(request: Request) -> Response:
    response = Response(status_code=204)
    response.headers["Set-Cookie"] = session_cookie.clearing_header(_secure(request))
    return response


app = st.App(
    str(APP),
    routes=[
        Route(session_cookie.SESSION_ROUTE, set_session, methods=["POST"]),
        Route(session_cookie.LOGOUT_ROUTE, clear_session, methods=["POST"]),
    ],
)
