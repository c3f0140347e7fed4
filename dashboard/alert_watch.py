"""The watch on critical alerts that every page keeps while it is open.

A duty officer keeps the overview open in a tab among others. The tab's title counts the
critical alerts nobody has acknowledged yet — ``(2) 舆情总览`` — and, if that person has switched
it on, a new one raises a desktop notification (or a short tone where the browser refuses
notifications). The switch is kept in the browser's ``localStorage`` under the user's name, so it
is per user and survives a reload, and the browser's own permission prompt is asked from a click.

The page is refreshed by a Streamlit fragment every ``dashboard.cache_ttl``; the script in the
component (an iframe on the dashboard's own origin) sets the parent document's title and keeps it
set when Streamlit changes it on navigation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import streamlit as st

from dashboard.context import reader
from dashboard.data import _ttl_cached, cache_seconds

SCAN_LIMIT = 10_000
# Obligation statuses that mean someone has taken the alert in hand.
TAKEN = {"acknowledged", "done", "waived"}


@dataclass(frozen=True)
class CriticalWatch:
    """Firing critical alerts not yet acknowledged: how many, and the newest (for the notice)."""

    count: int
    newest_id: int | None
    newest_title: str


@_ttl_cached
def critical_watch(config: str) -> CriticalWatch:
    """A firing critical alert is unacknowledged while no obligation of it (by alert, or of its
    event) has been acknowledged, done or waived; one that opened none counts until resolved."""
    archive = reader(config)
    alerts = [
        a
        for a in archive.ledger.list_alerts(status="firing", limit=SCAN_LIMIT)
        if a.level == "critical"
    ]
    handled = [o for o in archive.ledger.list_obligations(limit=SCAN_LIMIT) if o.status in TAKEN]
    taken_alerts = {o.alert_id for o in handled if o.alert_id is not None}
    taken_events = {o.event_id for o in handled if o.event_id is not None}
    waiting = sorted(
        (a for a in alerts if a.id not in taken_alerts and a.event_id not in taken_events),
        key=lambda a: a.id or 0,
    )
    newest = waiting[-1] if waiting else None
    return CriticalWatch(
        count=len(waiting),
        newest_id=newest.id if newest else None,
        newest_title=newest.title if newest else "",
    )


_SCRIPT = """
<div id="w"></div>
<script>
const state = %(state)s;
const parent = window.parent;
const doc = parent.document;
const key = "yuqing.notify." + state.user;
const seenKey = "yuqing.notify.seen." + state.user;
// The title: Streamlit sets it on every navigation, so keep the prefix on with an observer.
parent.__yuqingCritical = state.count;
const prefixed = () => {
  const bare = doc.title.replace(/^\\(\\d+\\) /, "");
  const want = parent.__yuqingCritical > 0 ? "(" + parent.__yuqingCritical + ") " + bare : bare;
  if (doc.title !== want) doc.title = want;
};
prefixed();
if (!parent.__yuqingTitleWatch) {
  const title = doc.querySelector("title");
  if (title) {
    parent.__yuqingTitleWatch = new parent.MutationObserver(prefixed);
    parent.__yuqingTitleWatch.observe(title, {childList: true});
  }
}
// The opt-in switch, per user in this browser.
const on = parent.localStorage.getItem(key) === "on";
const box = document.getElementById("w");
const button = document.createElement("button");
button.textContent = on ? "关闭严重告警提醒" : "开启严重告警提醒";
button.onclick = async () => {
  if (on) { parent.localStorage.removeItem(key); }
  else {
    parent.localStorage.setItem(key, "on");
    if ("Notification" in parent && parent.Notification.permission === "default") {
      try { await parent.Notification.requestPermission(); } catch (e) {}
    }
  }
  parent.localStorage.setItem(seenKey, String(state.newest || 0));
  button.textContent = parent.localStorage.getItem(key) === "on"
    ? "关闭严重告警提醒" : "开启严重告警提醒";
};
box.appendChild(button);
// A new critical alert since this browser last looked: notify, or sound a tone.
const seen = Number(parent.localStorage.getItem(seenKey) || 0);
if (on && state.newest && state.newest > seen) {
  parent.localStorage.setItem(seenKey, String(state.newest));
  let shown = false;
  if ("Notification" in parent && parent.Notification.permission === "granted") {
    try { new parent.Notification("严重告警：" + state.title, {body: state.body}); shown = true; }
    catch (e) {}
  }
  if (!shown) {
    try {
      const audio = new (parent.AudioContext || parent.webkitAudioContext)();
      const tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
    } catch (e) {}
  }
}
</script>
"""


def render(config: str, user: str) -> None:
    """The watch for ``user``, refreshed every cache period while the page stays open."""

    @st.fragment(run_every=timedelta(seconds=cache_seconds(config)))
    def _watch() -> None:
        watch = critical_watch(config)
        state = {
            "user": user,
            "count": watch.count,
            "newest": watch.newest_id,
            "title": watch.newest_title,
            "body": f"共 {watch.count} 条严重告警尚未确认，请到「处置」页面办理。",
        }
        # ensure_ascii keeps the payload inert inside the <script> element whatever the
        # titles hold (no "</script>" can survive as such).
        payload = json.dumps(state, ensure_ascii=True).replace("<", "\\u003c")
        if watch.count:
            st.caption(f"严重告警待确认：{watch.count} 条")
        st.iframe(_SCRIPT % {"state": payload}, height=40)

    _watch()
