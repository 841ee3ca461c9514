"""Cards from the graph's results: the knowledge card and the suggested reply with its actions and sources."""

from __future__ import annotations

from typing import Any

from knowledge.search import Hit, Searcher

SERVICES_OF_FAULT = {"mobile_data_fault": {"mobile_data"}, "broadband_fault": {"broadband"},
                     "voice_call_fault": {"voice"}, "sms_mms_fault": {"sms"},
                     "coverage_complaint": {"voice", "mobile_data"}}
"""A fault intent, and the outage-script services that explain it."""
DISPATCH_ACTIONS = frozenset({"create_repair_ticket"})
SCRIPT_ACTION = "read_emergency_script"
SNIPPET_CHARS = 90
GREETING = "您好，请问有什么可以帮您？"


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of a text, cut at a sentence end when one is near."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = max(text.rfind(p, 0, limit) for p in "。；！？")
    return text[: cut + 1] if cut >= limit // 2 else text[:limit] + "…"


def knowledge_card(searcher: Searcher, hits: list[Hit]) -> list[dict[str, Any]]:
    """Hits with what the agent reads: a snippet of the point, or a script's wording."""
    card = []
    for hit in hits:
        row = searcher.row(hit)
        item = {"id": hit.id, "kind": hit.kind, "title": hit.title, "region": hit.region,
                "score": hit.score, "rank": hit.rank, "snippet": snippet(row.text if row else ""), "why": hit.why}
        changes = searcher.changes_from(row)
        if changes:  # today's version, with a change already announced from a later day
            item["changes_from"] = changes
        card.append(item)
    return card


def script_card(searcher: Searcher, rows: list[Any]) -> list[dict[str, Any]]:
    """Outage scripts in force for the caller's area, with the exact wording to read."""
    out = []
    for row in rows:
        doc = row.doc()
        out.append({"id": row.id, "title": row.title, "outage_id": row.outage_id, "region": row.region,
                    "wording": getattr(doc, "wording", ""), "services": list(getattr(doc, "services", [])),
                    "valid_to": str(getattr(doc, "valid_to", ""))})
    return out


def concerns(script: dict[str, Any], intent: str | None) -> bool:
    """Whether an outage script belongs on a call: on a fault call, one of its service; on others, any in force."""
    wanted = SERVICES_OF_FAULT.get(intent or "")
    return not wanted or bool({"all", *wanted} & set(script.get("services") or ["all"]))


def scripts_ruled_out(diagnosis: dict[str, Any] | None) -> bool:
    """Whether the diagnosis ruled the area's outage scripts out for this line (it forbids reading them)."""
    return SCRIPT_ACTION in (diagnosis or {}).get("forbidden", [])


def action_keys(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each suggested action a key unique within the call (its id, numbered when repeated)."""
    seen: dict[str, int] = {}
    keyed = []
    for a in actions:
        n = seen.get(a["action"], 0)
        seen[a["action"]] = n + 1
        keyed.append(a | {"key": a["action"] if n == 0 else f"{a['action']}-{n + 1}"})
    return keyed


def compose_reply(intent: str | None, diagnosis: dict[str, Any] | None, knowledge: list[dict[str, Any]],
                  scripts: list[dict[str, Any]]) -> dict[str, Any]:
    """The suggested reply, its sources and the ranked actions.

    An active outage script for the caller's area outranks everything on a fault call: the agent reads the
    script instead of dispatching a repair, unless the diagnosis rules the script out (it forbids
    ``read_emergency_script``: the playbook checked the caller's line against the outage and found that the
    outage does not explain it, e.g. another OLT's fault in the same district). Without a playbook diagnosis,
    the best knowledge point answers.
    """
    d = diagnosis or {}
    actions = action_keys(list(d.get("actions", [])))
    sources = [e for f in d.get("findings", [])[:3] for e in f.get("evidence", [])[:2]]
    reply = d.get("reply")
    # a script no outage notice backs (a knowledge manager's, for the district) explains a line the systems
    # find nothing wrong with; a fault the systems found on the line itself (LOS, arrears, data off) comes first
    line_fault = any(f.get("severity") in ("red", "amber") and f.get("evidence") for f in d.get("findings", []))
    script = next((s for s in scripts if intent in SERVICES_OF_FAULT and concerns(s, intent)
                   and (s.get("outage_id") or not line_fault)), None)
    if scripts_ruled_out(d):
        script = None
    if script:
        reply = script["wording"]
        sources = [script["id"], *sources]
        actions = [a for a in actions if a["action"] not in DISPATCH_ACTIONS]
    elif not reply and knowledge:
        best = next((k for k in knowledge if k["kind"] == "point"), None)
        if best:
            reply = f"您好，关于{best['title']}：{best['snippet']}"
            sources = [best["id"]]
    return {"reply": reply or GREETING, "reply_sources": list(dict.fromkeys(sources)), "actions": actions,
            "reply_origin": "rules", "reply_notice": None}  # two findings may rest on the same field: cited once
