"""Home broadband: OLTs, PON ports, accounts, ONUs (光猫), alarms, Radius log and online sessions.

Accounts are bound to an OLT and PON port in their district (综资). The lines staged for
``bb_area_outage`` sit on a dedicated OLT whose ports are all down, with a PORT_DOWN alarm
per port and an active broadband outage naming the OLT, so no ordinary account is touched.
Optical power: a healthy ONU receives between -14 and -24 dBm; ``LOW_RX_POWER`` ONUs
receive below -27 dBm; an ONU without light (LOS, dying gasp, port down) has NULL power.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from tools.sim.generator.model import Addon, Ids, Line, Tables, Window, ts
from tools.sim.generator.network import Network
from tools.sim.generator.regions import DISTRICTS, District, street_address

VENDORS = {
    "华为": ("HWTC", ("华为HG8546M", "华为HN8145X6")),
    "中兴": ("ZTEG", ("中兴F663NV3a", "中兴F7610M")),
    "烽火": ("FHTT", ("烽火HG6145F", "烽火HG6143D")),
}
_OFFLINE = ("bb_los_fibre_cut", "bb_dying_gasp", "bb_area_outage", "bb_open_repair_ticket")
_NO_SESSION = (*_OFFLINE, "bb_arrears", "bb_bad_password", "bb_radius_locked", "bb_onu_hung")
_BB_OUTAGE_CAUSES = ("主干光缆被市政施工挖断", "OLT上联传输设备故障", "机房停电，OLT退服")


def _port_name(index: int) -> str:
    return f"0/{1 + index // 16}/{index % 16}"


def broadband_rows(
    rng: random.Random, lines: list[Line], tables: Tables, window: Window, net: Network, ids: Ids
) -> None:
    """Fill the PON tables, the broadband part of ``auth_log``/``online_sessions`` and broadband outages."""
    as_of = window.as_of
    groups: dict[str, list[tuple[Line, Addon]]] = defaultdict(list)
    for line in lines:
        if line.bb_sit is None:
            continue
        addon = next(a for a in line.addons if a.product.kind == "broadband")
        groups[line.district.key].append((line, addon))
    used_ids: set[str] = set()
    olt_count = 0
    for district in DISTRICTS:
        accounts = groups.get(district.key, [])
        normal = [a for a in accounts if a[0].bb_sit != "bb_area_outage"]
        outage = [a for a in accounts if a[0].bb_sit == "bb_area_outage"]
        k = 0
        while normal:
            k += 1
            olt_id = _olt(rng, tables, district, k)
            olt_count += 1
            port_index = 0
            while normal and port_index < 16:
                size = rng.randint(12, 32)
                take, normal = normal[:size], normal[size:]
                port = _port_name(port_index)
                tables["pon_ports"].append((olt_id, port, "up"))
                for line, addon in take:
                    _account(rng, tables, line, addon, district, olt_id, port, as_of, used_ids, ids)
                port_index += 1
        if outage:
            k += 1
            olt_id = _olt(rng, tables, district, k)
            start = as_of - timedelta(minutes=rng.randint(60, 300))
            ports = [_port_name(i) for i in range(rng.randint(1, 2))]
            for port in ports:
                tables["pon_ports"].append((olt_id, port, "down"))
                tables["pon_alarms"].append((ids.next("AL"), None, olt_id, port, "PORT_DOWN", ts(start), None))
            for i, (line, addon) in enumerate(outage):
                line.fault_at = start
                _account(rng, tables, line, addon, district, olt_id, ports[i % len(ports)], as_of, used_ids, ids)
            cause = rng.choice(_BB_OUTAGE_CAUSES)
            tables["outages"].append((
                net.outage_id(district, start), district.province, district.city, district.district, "broadband",
                cause, f"{district.district}{district.landmarks[0]}片区{cause}，该OLT下挂家庭宽带全部中断，抢修中",
                ts(start), ts(as_of + timedelta(minutes=rng.randint(120, 600))), None, olt_id,
            ))
    _historical_outages(rng, tables, net, as_of)


def _olt(rng: random.Random, tables: Tables, district: District, k: int) -> str:
    olt_id = f"OLT-{district.admin_code}-{k:02d}"
    landmark = district.landmarks[(k - 1) % len(district.landmarks)]
    tables["olts"].append((
        olt_id, f"{district.city_short}{district.district}{landmark}OLT{k:02d}", district.province, district.city,
        district.district, rng.choice(tuple(VENDORS)),
    ))
    return olt_id


def _account(
    rng: random.Random, tables: Tables, line: Line, addon: Addon, district: District, olt_id: str, port: str,
    as_of: datetime, used_ids: set[str], ids: Ids,
) -> None:
    sit = line.bb_sit
    while True:
        account_id = district.area_code + f"{rng.randrange(10**8):08d}"
        if account_id not in used_ids:
            used_ids.add(account_id)
            break
    onu_id = ids.next("ONU", 8)
    tables["broadband_accounts"].append((
        account_id, line.msisdn, addon.product.product_id, street_address(rng, district), district.province,
        district.city, district.district, "suspended_arrears" if sit == "bb_arrears" else "active",
        int(sit == "bb_radius_locked"), addon.start.isoformat(), olt_id, port, onu_id,
    ))
    vendor = rng.choice(tuple(VENDORS))
    prefix, models = VENDORS[vendor]
    if sit in ("bb_los_fibre_cut", "bb_open_repair_ticket"):
        line.fault_at = as_of - timedelta(minutes=rng.randint(60, 30 * 60 if sit == "bb_los_fibre_cut" else 40 * 60))
    elif sit == "bb_dying_gasp":
        line.fault_at = as_of - timedelta(minutes=rng.randint(30, 20 * 60))
    offline = sit in _OFFLINE
    if offline:
        assert line.fault_at is not None
        since = line.fault_at
        rx: float | None = None
        tx: float | None = None
    else:
        minutes = rng.randint(10, 360) if sit == "bb_low_rx_power" else rng.randint(1440, 57600)
        since = as_of - timedelta(minutes=minutes)
        rx = round(rng.uniform(-30.5, -27.2), 1) if sit == "bb_low_rx_power" else round(rng.uniform(-24.0, -14.0), 1)
        tx = round(rng.uniform(1.5, 3.5), 1)
    if sit == "bb_onu_hung":
        reboot: datetime | None = as_of - timedelta(days=rng.randint(10, 60))
    else:
        reboot = since if not offline and rng.random() < 0.4 else None
    tables["onus"].append((
        onu_id, account_id, olt_id, port, rng.choice(models), f"{prefix}{rng.getrandbits(32):08X}",
        0 if offline else 1, rx, tx, ts(since), ts(reboot) if reboot else None, int(sit == "bb_onu_hung"),
    ))
    alarms = tables["pon_alarms"]
    if sit in ("bb_los_fibre_cut", "bb_open_repair_ticket"):
        alarms.append((ids.next("AL"), onu_id, olt_id, port, "LOS", ts(since), None))
    elif sit == "bb_dying_gasp":
        alarms.append((ids.next("AL"), onu_id, olt_id, port, "DYING_GASP", ts(since), None))
    elif sit == "bb_low_rx_power":
        raised = as_of - timedelta(minutes=rng.randint(6 * 60, 10 * 24 * 60))
        alarms.append((ids.next("AL"), onu_id, olt_id, port, "LOW_RX_POWER", ts(raised), None))
    elif not offline and rng.random() < 0.1:
        kind = rng.choice(("LOS", "DYING_GASP", "LOF"))
        raised = since - timedelta(minutes=rng.randint(10, 20 * 60))
        alarms.append((ids.next("AL"), onu_id, olt_id, port, kind, ts(raised), ts(since)))
    _radius(rng, tables, line, account_id, district, as_of, since, ids)


def _radius(
    rng: random.Random, tables: Tables, line: Line, account_id: str, district: District, as_of: datetime,
    since: datetime, ids: Ids,
) -> None:
    sit = line.bb_sit
    nas = f"{district.city_abbr}-BRAS-{rng.randint(1, 6):02d}"
    log = tables["auth_log"]

    def add(moment: datetime, result: str, detail: str | None = None) -> None:
        log.append((ids.next("AU"), "broadband", account_id, ts(moment), result, None, nas, None, detail))

    def recent(hours_lo: float, hours_hi: float, count: int) -> list[datetime]:
        return sorted(as_of - timedelta(seconds=rng.randint(int(hours_lo * 3600), int(hours_hi * 3600)))
                      for _ in range(count))

    if sit in _OFFLINE:
        add(since - timedelta(hours=rng.randint(3, 70)), "ok")
        return
    if sit == "bb_arrears":
        add(line.status_since - timedelta(hours=rng.randint(6, 48)), "ok")
        for moment in recent(0.2, min(72.0, (as_of - line.status_since).total_seconds() / 3600), rng.randint(2, 5)):
            add(moment, "reject_arrears", "账户欠费停机，宽带业务已暂停")
        return
    if sit in ("bb_bad_password", "bb_radius_locked"):
        add(as_of - timedelta(days=rng.randint(3, 10)), "ok")
        for moment in recent(1, 20, 5 if sit == "bb_radius_locked" else rng.randint(3, 6)):
            add(moment, "reject_bad_password", "PPPoE密码错误")
        if sit == "bb_radius_locked":
            for moment in recent(0.1, 0.9, rng.randint(1, 3)):
                add(moment, "reject_locked", "连续5次密码错误，账号已锁定，需人工解锁")
        return
    if sit == "bb_onu_hung":
        add(as_of - timedelta(minutes=rng.randint(120, 480)), "ok")
        return
    if sit == "bb_low_rx_power":  # flapping: many re-dials, the last one when the ONU last came back
        hours = (as_of - since).total_seconds() / 3600
        moments = [*recent(hours + 0.1, hours + 24, rng.randint(3, 7)), since + timedelta(seconds=rng.randint(40, 120))]
    else:
        moments = recent(0.5, 72, rng.randint(1, 2))
    for moment in moments:
        add(moment, "ok")
    ip = f"100.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    tables["online_sessions"].append((ids.next("OS"), "broadband", account_id, ts(moments[-1]), ip, nas, None))


def _historical_outages(rng: random.Random, tables: Tables, net: Network, as_of: datetime) -> None:
    olts = list(tables["olts"])
    by_key = {d.key: d for d in DISTRICTS}
    for _ in range(min(len(olts), 2 + len(olts) // 20)):
        olt = rng.choice(olts)
        district = by_key[f"{olt[3]}{olt[4]}"]
        start = as_of - timedelta(days=rng.randint(3, 60), minutes=rng.randint(0, 1439))
        end = start + timedelta(minutes=rng.randint(60, 480))
        cause = rng.choice(_BB_OUTAGE_CAUSES)
        tables["outages"].append((
            net.outage_id(district, start), district.province, district.city, district.district, "broadband", cause,
            f"{olt[1]}因{cause}导致下挂宽带中断，已恢复", ts(start), ts(end), ts(end), str(olt[0]),
        ))
