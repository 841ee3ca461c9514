"""A caller's follow-up question that the call's playbook has no new answer for.

A playbook's reply says what the systems show for the call's need; asked "那一天多少钱？" or "退的钱什么时候到账？"
next, the same systems give the same reply, and the agent would read it twice. When the caller's turn asks for a
figure or a time and the reply would be one the call already had, the question is answered from the grounds the
agent's own questions use (`copilot.ask`): a system query point about the line (退费进度, 在途工单, 余额 ...), else
the knowledge point that answers it, if its category is one a caller may be told (a price, a rule, a channel: not an
agent's handling procedure). On a roaming call the question is searched with where the caller is going (the place
it leaves out: "那一天多少钱？" after "下周去日本"), and the line's own plan and balance are not read for it. With
neither, the playbook's reply stands.

Measured on the core and robustness suites (`hotline eval run`), 2026-11-25: no reply changed on core; a first
form that answered any question ("怎么办", "是不是欠费了") changed five replies there, all for the worse (the
playbook's reply was the answer), and is why only figures and times are answered.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from copilot.ask import answering_point, looked_up
from copilot.compose import snippet

if TYPE_CHECKING:
    from copilot.graph import CopilotServices

ASKS = re.compile(r"(?<!多)多少(?!有点|还是|也)|(?<!好)几(?:[点天号块次]|个小时)|哪天|什么时候|啥时候|多久|多长时间"
                  r"|怎么(?:收费|收钱|算)|贵不贵|到账")
"""A turn that asks for a figure or a time ("那一天多少钱", "师傅几点来", "退的钱什么时候到账"). "怎么办", "为什么",
"是不是欠费了" are not: the playbook's reply is what answers them, said again; nor "都断了好几天了", "多少有点着急"."""
THIRD_PARTY = "third_party_number"
ROAMING = "roaming"
"""The need whose questions leave out the place: its destination is searched with them."""
FAILED = "系统未返回"
"""A lookup's words when its system failed: for the agent, not read to the caller."""
CALLER_FACING = frozenset({"资费", "办理条件", "办理渠道", "生效规则", "退订规则", "常见问题", "营销活动", "业务介绍"})
"""Knowledge categories written as what a caller may be told (not 故障处理 or 投诉处理, the agent's procedures)."""
_PLAIN = re.compile(r"^您好[，,]?|[\s，。,.！!？?、；;：:]")


def said_before(reply: str | None, replies: list[str]) -> bool:
    """Whether the reply is one the call's playbooks already gave, greeting and punctuation aside."""
    plain = _PLAIN.sub("", reply or "")
    return bool(plain) and any(plain == _PLAIN.sub("", r) for r in replies)


def trip_of(state: Any) -> list[str] | None:
    """The destinations a roaming call named; None on any other call (a place said in passing is no trip)."""
    roaming = bool(state.intents) and state.intents[0][0] == ROAMING
    return (state.slots or {}).get("destinations") if roaming else None


def with_destination(text: str, destinations: list[str] | None) -> str:
    """The question with the roaming destination the call named, when the question itself names none."""
    if not destinations or any(d in text for d in destinations):
        return text
    return f"{destinations[-1]}，{text}"


def answer_follow_up(services: CopilotServices, state: Any, question: str, msisdn: str, now: datetime
                     ) -> tuple[str, list[str]] | None:
    """The reply to a caller's question the playbook's reply does not answer, and what it rests on.

    Args:
        services: The graph's services.
        state: The call's state (region, slots, what was done on the call).
        question: The caller's latest turn (masked).
        msisdn: The caller's number, from the call context.
        now: The time the systems and the knowledge are read at.

    Returns:
        ``(reply, sources)``, or None when the turn asks for no figure or time, is about another line than the
        caller's, or nothing answers it. Once the call has named another line, the caller's own is not read for
        a follow-up (only the knowledge answers).
    """
    heard = services.searcher.lexical.tokenizer.normalize(question) if services.searcher is not None else question
    if not ASKS.search(heard) or THIRD_PARTY in (state.risks or []):  # 一日几多钱 is 一日多少钱
        return None  # "她欠了多少钱" about the mother's number: the caller's own line must not answer it
    destinations = trip_of(state)
    # the line is not read on a trip ("套餐一天多少钱" is the pack's, not the plan's), nor once another line was
    # named on the call ("那要交多少钱？" may still be about it)
    about_another = THIRD_PARTY in (state.call_risks or [])
    said, sources = ([], []) if destinations or about_another else looked_up(services, state, question, msisdn,
                                                                             now)
    if said and not any(FAILED in s for s in said):  # a failed system is the agent's to hear, not the caller's
        return "帮您查了一下，" + "；".join(said) + "。", sources
    if services.searcher is None:
        return None
    region = list(state.region or [None, None, None])
    found = answering_point(services.searcher, with_destination(question, destinations), region, now)
    if found is None or found[1].category not in CALLER_FACING:
        return None  # a handling procedure (投诉处理口径) is the agent's, not words to read to the caller
    hit, row = found
    text = snippet(row.text)
    return f"关于{hit.title}：{text[:-1] + '。' if text.endswith('；') else text}", [hit.id]  # read aloud: a full stop
