"""The city of 江州 with its districts 临川区 and 白沙区 as a ``units:`` tree, and a dashboard
user in each unit: shared by the unit-scoped search, briefing and notice tests."""

from __future__ import annotations

from typing import Any

from core.passwords import hash_password

# Dashboard users and their units.
USERS = {"city": "jiangzhou", "lin": "linchuan", "bai": "baisha"}
RECIPIENTS = ["city-duty", "linchuan-duty", "baisha-duty"]


def units() -> dict[str, Any]:
    """The tree as ``units:`` in the YAML."""
    return {
        "id": "jiangzhou",
        "name": "江州市市场监督管理局",
        "level": "city",
        "region_names": ["江州市", "江州"],
        "recipients": ["city-duty"],
        # The dashboard fixture's milk rumour has one post naming 临川区 (the bureau's notice
        # names no district): one mention routes here, below the default floor of two.
        "route_min_mentions": 1,
        "children": [
            {
                "id": "linchuan",
                "name": "临川区市场监督管理局",
                "level": "county",
                "region_names": ["临川区", "临川"],
                "recipients": ["linchuan-duty"],
            },
            {
                "id": "baisha",
                "name": "白沙区市场监督管理局",
                "level": "county",
                "region_names": ["白沙区", "白沙"],
                "recipients": ["baisha-duty"],
            },
        ],
    }


def password(user: str) -> str:
    return f"{user}-secret-1"


def units_yaml(with_users: bool = False) -> str:
    """The recipients, the tree and (``with_users``) the users, as YAML to append to a
    configuration."""
    import yaml

    text = yaml.safe_dump(
        {"recipients": [{"name": n} for n in RECIPIENTS], "units": units()}, allow_unicode=True
    )
    if not with_users:
        return text
    lines = ["users:"]
    for user, unit in USERS.items():
        # A lower scrypt cost than the default keeps the test quick; the path is the same.
        digest = hash_password(password(user), log_n=14)
        lines += [
            f"  - {{username: {user}, role: spokesperson, unit: {unit}, password_hash: '{digest}'}}"
        ]
    return text + "\n".join(lines) + "\n"
