"""登录: what every address shows until a configured user has logged in.

The app registers this view under every page's address while nobody is logged in, so a link
from a message (``/event?id=…``, ``/obligations?id=…``) shows the login form and then, after
the login, the page it asked for, with its parameters.
"""

from __future__ import annotations

import streamlit as st

from dashboard import auth
from dashboard.context import config_path
from dashboard.formatting import md_escape


def render() -> None:
    config = config_path()
    st.title("登录舆情监测平台")
    notice = st.session_state.pop(auth.NOTICE_KEY, None)
    if notice:
        st.warning(md_escape(str(notice)))
    with st.form("login_form", border=True):
        username = st.text_input("用户名", key="login_username", max_chars=100)
        password = st.text_input("密码", type="password", key="login_password", max_chars=200)
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            auth.authenticate(config, username or "", password or "")
        except auth.LoginError as exc:
            st.error(md_escape(str(exc)))
        else:
            st.rerun()
    st.caption("账号由管理员在配置文件的 users 中设置；如忘记密码请联系管理员。")
