"""Who may do what on the dashboard: four roles, each a set of permissions.

Pages and buttons are offered by ``allowed``; every action checks ``require`` again on the
server side before it writes, so a hidden button is not the only thing that stops a viewer.
Without configured users the dashboard is open (it listens on 127.0.0.1 only) and whoever
uses it acts as ``admin`` under the name typed in the sidebar.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.vocabulary import USER_ROLE_LABELS, USER_ROLES

# The roles themselves and their names are settings' vocabulary (``users[].role``).
ROLE_LABELS = USER_ROLE_LABELS

VIEW = "view"  # overview, hotspots, events, obligations (read), sources, rules
SEARCH = "search"  # the archive search page
EXPORT = "export"  # CSV / Excel of a result set
ACT = "obligation.act"  # acknowledge, assign, complete, waive, snooze a reminder
SILENCE = "alert.silence"  # silence or unsilence an alert
BACKTEST = "rules.backtest"

PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({VIEW}),
    "analyst": frozenset({VIEW, SEARCH, EXPORT, BACKTEST}),
    "spokesperson": frozenset({VIEW, SEARCH, ACT, SILENCE}),
    "admin": frozenset({VIEW, SEARCH, EXPORT, ACT, SILENCE, BACKTEST}),
}
# Every role settings accept has its permissions, and no other (checked when the module loads,
# so a role added to core.vocabulary without its permissions fails at once, not at a login).
if set(PERMISSIONS) != set(USER_ROLES):
    raise RuntimeError(
        f"dashboard.roles.PERMISSIONS covers {sorted(PERMISSIONS)}, settings accept {USER_ROLES}"
    )
PERMISSION_LABELS = {
    VIEW: "查看",
    SEARCH: "检索",
    EXPORT: "导出",
    ACT: "办理处置事项",
    SILENCE: "静默告警",
    BACKTEST: "规则回测",
}


@dataclass(frozen=True)
class Principal:
    """The person acting: a configured user, or the open dashboard's typed-in name."""

    username: str
    role: str
    display_name: str = ""
    authenticated: bool = False

    @property
    def name(self) -> str:
        """What the audit log records: the user name (stable), not the display name."""
        return self.username

    @property
    def shown(self) -> str:
        return self.display_name or self.username


class PermissionDenied(Exception):
    """``str()`` is the message for the screen."""


def allowed(principal: Principal | None, permission: str) -> bool:
    if principal is None:
        return False
    return permission in PERMISSIONS.get(principal.role, frozenset())


def require(principal: Principal | None, permission: str) -> None:
    if not allowed(principal, permission):
        who = principal.shown if principal else "未登录用户"
        role = ROLE_LABELS.get(principal.role, principal.role) if principal else ""
        what = PERMISSION_LABELS.get(permission, permission)
        raise PermissionDenied(f"{who}（{role}）无权{what}")
