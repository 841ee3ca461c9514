"""Render `caller_picture` for a terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _rows(table: Table, items: list[tuple[str, Any]]) -> None:
    for key, value in items:
        if isinstance(value, dict) and "error" in value:
            value = f"[red]查询失败 {value['error'].get('message', '')}[/red]"
        table.add_row(key, str(value))


def _rx(value: float | None) -> str:
    return "无光" if value is None else f"{value}dBm"


def render_picture(p: dict[str, Any], console: Console | None = None) -> None:
    """Print the caller's picture as one table per system."""
    console = console or Console()
    s = p["boss"]["subscriber"]
    boss = Table(title=f"BOSS  {p['msisdn']}  （{p['as_of']}）", show_header=False)
    rows: list[tuple[str, Any]] = [
        ("客户", f"{s['name'][0]}**  {s['province']}{s['city']}{s['district']}  {s['brand']} {s['star_level']}星"),
        ("状态", f"{s['status_label']}（{s['status_since']}起）"),
        ("余额/信用额度", f"{s['balance_yuan']:.2f}元 / {s['credit_limit_yuan']:.2f}元"),
        ("套餐", s["plan_name"]),
        ("订购", "；".join(f"{x['product_name']}({x['channel']})" for x in p["boss"]["subscriptions"])
         if isinstance(p["boss"]["subscriptions"], list) else p["boss"]["subscriptions"]),
    ]
    for month, usage in p["boss"]["usage"].items():
        rows.append((f"{month}流量", usage if "error" in usage else
                     f"额度{usage['quota_mb']}MB 已用{usage['used_mb']}MB 超出{usage['overage_mb']}MB "
                     f"流量费{usage['overage_fee_yuan']}元 漫游{usage['roaming_mb']}MB/{usage['roaming_fee_yuan']}元"))
    for month, elastic in p["boss"]["elastic"].items():
        rows.append((f"{month}弹性计费包", elastic if "error" in elastic else
                     f"可办理，节省{elastic['saving_yuan']:.2f}元" if elastic["eligible"] else
                     "不可办理：" + "；".join(c["detail"] for c in elastic["checks"] if not c["passed"])))
    _rows(boss, rows)
    console.print(boss)
    aaa = Table(title="AAA/Radius", show_header=False)
    prof = p["aaa"]["profile"]
    log = p["aaa"]["auth_log"]
    _rows(aaa, [
        ("数据功能/APN", prof if "error" in prof else
         f"{'开' if prof['gprs_enabled'] else '关'} / {prof['apn_profile']}"
         + ("  锁定:" + (prof["lock_reason"] or "") if prof["account_locked"] else "")
         + (f"  限速{prof['speed_cap_kbps']}kbps" if prof["speed_cap_kbps"] else "")),
        ("最近认证", "；".join(f"{r['ts']} {r['result_label']}" for r in log[:3]) if isinstance(log, list) else log),
    ])
    console.print(aaa)
    pon = Table(title="PON 宽带", show_header=False)
    accounts = p["pon"]["accounts"]
    if isinstance(accounts, list) and not accounts:
        pon.add_row("宽带", "无")
    for acct in accounts if isinstance(accounts, list) else []:
        line = p["pon"]["lines"].get(acct["account_id"], {})
        if "error" in line:
            _rows(pon, [(acct["account_id"], line)])
            continue
        onu = line["onu"]
        alarms = "、".join(a["alarm_label"] for a in line["active_alarms"]) or "无"
        _rows(pon, [(acct["account_id"], f"{acct['product_name']} {acct['address']}"),
                    ("光猫", f"{'在线' if onu['online'] else '离线'} 收光{_rx(onu['rx_power_dbm'])} "
                           f"PON口{line['port_state']}{' 疑似假死' if onu['hung'] else ''}"),
                    ("告警", alarms)])
    console.print(pon)
    cov = p["coverage"]
    net = Table(title="网络覆盖与故障", show_header=False)
    if "error" in cov:
        _rows(net, [("区域", cov)])
    else:
        _rows(net, [("区域故障", "；".join(f"{o['outage_id']} {o['cause']}" for o in cov["outages"]) or "无"),
                    ("弱覆盖", "；".join(w["place"] for w in cov["weak_coverage"]) or "无")])
    console.print(net)
    tickets = p["ticketing"]
    tk = Table(title="工单", show_header=False)
    if isinstance(tickets, list):
        for t in tickets[:5]:
            tk.add_row(t["ticket_id"], f"{t['kind']} {t['status']} {t['title']}")
        if not tickets:
            tk.add_row("工单", "无")
    else:
        _rows(tk, [("工单", tickets)])
    console.print(tk)
