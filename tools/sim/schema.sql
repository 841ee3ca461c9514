-- Back-office simulator schema: one SQLite database that stands in for the five
-- systems an agent touches (BOSS, AAA/Radius, PON, coverage, ticketing).
-- Money is stored in fen (1 yuan = 100 fen) so that sums are exact.
-- Timestamps are ISO-8601 strings in China Standard Time without offset
-- ("2026-11-20T09:15:00"); dates are "YYYY-MM-DD"; billing months "YYYY-MM".

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- ---------------------------------------------------------------- BOSS
CREATE TABLE products (
    product_id TEXT PRIMARY KEY,          -- e.g. P-QQT-158, DP-M-3G, VAS-CL
    name TEXT NOT NULL,                   -- 全球通畅享套餐158元档
    kind TEXT NOT NULL CHECK (kind IN ('plan','data_pack','vas','elastic_pack','broadband')),
    brand TEXT,                           -- 全球通 / 动感地带 / 神州行, NULL for add-ons
    monthly_fee_fen INTEGER NOT NULL CHECK (monthly_fee_fen >= 0),
    data_quota_mb INTEGER NOT NULL DEFAULT 0,  -- domestic data included per month
    voice_minutes INTEGER NOT NULL DEFAULT 0,
    unlimited INTEGER NOT NULL DEFAULT 0,      -- 1: 不限量 plan (speed cap after quota, no overage fee)
    speed_cap_kbps INTEGER,                    -- cap after quota for unlimited plans
    bandwidth_mbps INTEGER,                    -- broadband products only
    elastic_excluded INTEGER NOT NULL DEFAULT 0, -- 1: subscribers on it may not use the elastic pack
    description TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to TEXT                          -- NULL: open-ended; set for retired offers
);

CREATE TABLE subscribers (
    msisdn TEXT PRIMARY KEY,              -- 11 digits
    name TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,       -- 360102********1234
    province TEXT NOT NULL,
    city TEXT NOT NULL,
    district TEXT NOT NULL,
    brand TEXT NOT NULL,
    plan_id TEXT NOT NULL REFERENCES products(product_id),
    status TEXT NOT NULL CHECK (status IN ('active','suspended_arrears','suspended_request','cancelled')),
    status_since TEXT NOT NULL,
    balance_fen INTEGER NOT NULL,         -- negative when in arrears
    credit_limit_fen INTEGER NOT NULL,    -- 信用额度: how far below zero before suspension
    real_name_verified INTEGER NOT NULL,
    star_level INTEGER NOT NULL,          -- 星级 0..7 (7 = 钻石卡)
    open_date TEXT NOT NULL,
    home_cell_id TEXT NOT NULL REFERENCES cells(cell_id),
    service_password_hash TEXT NOT NULL,
    password_reset_at TEXT,
    contract_until TEXT                   -- 合约期; NULL when none
);

CREATE TABLE subscriptions (
    subscription_id TEXT PRIMARY KEY,
    msisdn TEXT NOT NULL REFERENCES subscribers(msisdn),
    product_id TEXT NOT NULL REFERENCES products(product_id),
    status TEXT NOT NULL CHECK (status IN ('active','cancelled')),
    start_date TEXT NOT NULL,
    end_date TEXT,                        -- NULL while active and open-ended
    channel TEXT NOT NULL                 -- 营业厅 / 中国移动APP / 短信 / 10086热线 / 第三方合作渠道
);
CREATE INDEX ix_subscriptions_msisdn ON subscriptions(msisdn);

CREATE TABLE bills (
    bill_id TEXT PRIMARY KEY,
    msisdn TEXT NOT NULL REFERENCES subscribers(msisdn),
    month TEXT NOT NULL,
    total_fen INTEGER NOT NULL,           -- = sum(bill_items.amount_fen)
    status TEXT NOT NULL CHECK (status IN ('paid','unpaid','open')),  -- open: current month, not yet issued
    issued_date TEXT,
    UNIQUE (msisdn, month)
);

CREATE TABLE bill_items (
    bill_id TEXT NOT NULL REFERENCES bills(bill_id),
    seq INTEGER NOT NULL,
    category TEXT NOT NULL,               -- 套餐及固定费 / 套餐外流量费 / 语音通信费 / 增值业务费 / 国际及港澳台漫游费 / 短彩信费 / 优惠减免
    item_name TEXT NOT NULL,
    product_id TEXT,
    amount_fen INTEGER NOT NULL,          -- negative for discounts
    PRIMARY KEY (bill_id, seq)
);

CREATE TABLE data_usage (
    msisdn TEXT NOT NULL REFERENCES subscribers(msisdn),
    month TEXT NOT NULL,
    quota_mb INTEGER NOT NULL,            -- plan + data packs, domestic
    used_mb REAL NOT NULL,                -- domestic use
    overage_mb REAL NOT NULL,             -- = max(0, used_mb - quota_mb) unless the plan is unlimited (then 0)
    roaming_mb REAL NOT NULL,             -- international/HK-Macao-Taiwan roaming use, billed apart
    overage_fee_fen INTEGER NOT NULL,     -- domestic overage charge
    roaming_fee_fen INTEGER NOT NULL,
    speed_capped INTEGER NOT NULL,        -- unlimited plan past its quota
    PRIMARY KEY (msisdn, month)
);

CREATE TABLE data_sessions (
    session_id TEXT PRIMARY KEY,
    msisdn TEXT NOT NULL REFERENCES subscribers(msisdn),
    apn TEXT NOT NULL,                    -- cmnet / cmwap / cmiot / ims
    start_ts TEXT NOT NULL,
    end_ts TEXT NOT NULL,
    mb REAL NOT NULL,
    cell_id TEXT NOT NULL,
    roaming INTEGER NOT NULL,
    roaming_country TEXT,                 -- 日本 / 泰国 / 中国香港 ... when roaming
    app_category TEXT NOT NULL            -- 视频 / 短视频 / 社交 / 游戏 / 下载 / 浏览 / 系统更新 / 导航
);
CREATE INDEX ix_sessions_msisdn ON data_sessions(msisdn, start_ts);

CREATE TABLE payments (
    payment_id TEXT PRIMARY KEY,
    msisdn TEXT NOT NULL REFERENCES subscribers(msisdn),
    ts TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    channel TEXT NOT NULL                 -- 微信 / 支付宝 / 中国移动APP / 营业厅 / 银行代扣
);
CREATE INDEX ix_payments_msisdn ON payments(msisdn);

-- 弹性计费包: tiers an overage can be converted into after the fact.
CREATE TABLE elastic_tiers (
    tier_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    data_mb INTEGER NOT NULL,
    fee_fen INTEGER NOT NULL
);

-- Eligibility rules as data (code, Chinese text, parameter), checked by the BOSS client.
CREATE TABLE elastic_rules (
    rule_code TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    param TEXT
);

CREATE TABLE elastic_applications (
    application_id TEXT PRIMARY KEY,
    msisdn TEXT NOT NULL REFERENCES subscribers(msisdn),
    month TEXT NOT NULL,
    tier_id TEXT NOT NULL REFERENCES elastic_tiers(tier_id),
    applied_ts TEXT NOT NULL,
    fee_before_fen INTEGER NOT NULL,
    fee_after_fen INTEGER NOT NULL,
    UNIQUE (msisdn, month)
);

-- ---------------------------------------------------------------- AAA / Radius
CREATE TABLE aaa_profiles (
    msisdn TEXT PRIMARY KEY REFERENCES subscribers(msisdn),
    gprs_enabled INTEGER NOT NULL,        -- 数据功能
    volte_enabled INTEGER NOT NULL,
    roaming_enabled INTEGER NOT NULL,     -- 国际漫游功能
    apn_profile TEXT NOT NULL,            -- APN the HSS profile allows: cmnet / cmwap
    account_locked INTEGER NOT NULL,
    lock_reason TEXT,
    speed_cap_kbps INTEGER                -- NULL: no cap in force
);

CREATE TABLE auth_log (
    auth_id TEXT PRIMARY KEY,
    service TEXT NOT NULL CHECK (service IN ('mobile_data','broadband')),
    subject TEXT NOT NULL,                -- MSISDN for mobile data, broadband account id for broadband
    ts TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('ok','reject_arrears','reject_locked','reject_bad_password','reject_no_service')),
    apn TEXT,
    nas TEXT NOT NULL,                    -- PGW / BRAS that asked
    cell_id TEXT,
    detail TEXT
);
CREATE INDEX ix_auth_subject ON auth_log(subject, ts);

CREATE TABLE online_sessions (
    online_id TEXT PRIMARY KEY,
    service TEXT NOT NULL CHECK (service IN ('mobile_data','broadband')),
    subject TEXT NOT NULL,
    start_ts TEXT NOT NULL,
    ip TEXT NOT NULL,
    nas TEXT NOT NULL,
    cell_id TEXT
);
CREATE INDEX ix_online_subject ON online_sessions(subject);

-- ---------------------------------------------------------------- PON
CREATE TABLE olts (
    olt_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,                   -- 南昌东湖区八一大道OLT01
    province TEXT NOT NULL,
    city TEXT NOT NULL,
    district TEXT NOT NULL,
    vendor TEXT NOT NULL
);

CREATE TABLE pon_ports (
    olt_id TEXT NOT NULL REFERENCES olts(olt_id),
    port TEXT NOT NULL,                   -- 0/1/3 (frame/slot/port)
    state TEXT NOT NULL CHECK (state IN ('up','down')),
    PRIMARY KEY (olt_id, port)
);

CREATE TABLE broadband_accounts (
    account_id TEXT PRIMARY KEY,          -- 宽带账号, e.g. 079112345678
    msisdn TEXT NOT NULL REFERENCES subscribers(msisdn),  -- the bound mobile line
    product_id TEXT NOT NULL REFERENCES products(product_id),
    address TEXT NOT NULL,
    province TEXT NOT NULL,
    city TEXT NOT NULL,
    district TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active','suspended_arrears','suspended_request','cancelled')),
    radius_locked INTEGER NOT NULL,
    install_date TEXT NOT NULL,
    olt_id TEXT NOT NULL REFERENCES olts(olt_id),
    pon_port TEXT NOT NULL,
    onu_id TEXT NOT NULL UNIQUE
);
CREATE INDEX ix_bb_msisdn ON broadband_accounts(msisdn);

CREATE TABLE onus (
    onu_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES broadband_accounts(account_id),
    olt_id TEXT NOT NULL REFERENCES olts(olt_id),
    pon_port TEXT NOT NULL,
    model TEXT NOT NULL,                  -- 华为HG8546M / 中兴F663NV3a / 烽火HG6145F
    serial TEXT NOT NULL,
    online INTEGER NOT NULL,
    rx_power_dbm REAL,                    -- NULL while offline with no light
    tx_power_dbm REAL,
    state_since TEXT NOT NULL,
    last_reboot TEXT,
    hung INTEGER NOT NULL DEFAULT 0       -- 1: registered but not forwarding (fixed by a reboot)
);

CREATE TABLE pon_alarms (
    alarm_id TEXT PRIMARY KEY,
    onu_id TEXT,                          -- NULL for a port-level alarm
    olt_id TEXT NOT NULL,
    pon_port TEXT NOT NULL,
    alarm_type TEXT NOT NULL CHECK (alarm_type IN ('LOS','LOF','DYING_GASP','LOW_RX_POWER','PORT_DOWN')),
    raised_ts TEXT NOT NULL,
    cleared_ts TEXT                       -- NULL while active
);
CREATE INDEX ix_alarms_onu ON pon_alarms(onu_id);

-- ---------------------------------------------------------------- coverage
CREATE TABLE cells (
    cell_id TEXT PRIMARY KEY,             -- e.g. 460-00-791001-1
    name TEXT NOT NULL,                   -- 东湖区八一广场3小区
    province TEXT NOT NULL,
    city TEXT NOT NULL,
    district TEXT NOT NULL,
    tech TEXT NOT NULL CHECK (tech IN ('4G','5G')),
    state TEXT NOT NULL CHECK (state IN ('ok','fault','maintenance'))
);

CREATE TABLE outages (
    outage_id TEXT PRIMARY KEY,           -- e.g. GZ-20261123-001
    province TEXT NOT NULL,
    city TEXT NOT NULL,
    district TEXT,                        -- NULL: the whole city
    service TEXT NOT NULL CHECK (service IN ('mobile_data','voice','broadband','all')),
    cause TEXT NOT NULL,                  -- 光缆中断 / 基站停电 / 核心网设备故障 ...
    description TEXT NOT NULL,
    start_ts TEXT NOT NULL,
    est_recovery_ts TEXT,
    recovered_ts TEXT,                    -- NULL while active
    olt_id TEXT                           -- broadband outages: the OLT behind it
);

CREATE TABLE outage_cells (
    outage_id TEXT NOT NULL REFERENCES outages(outage_id),
    cell_id TEXT NOT NULL REFERENCES cells(cell_id),
    PRIMARY KEY (outage_id, cell_id)
);

CREATE TABLE maintenance (
    maintenance_id TEXT PRIMARY KEY,
    province TEXT NOT NULL,
    city TEXT NOT NULL,
    district TEXT,
    service TEXT NOT NULL,
    description TEXT NOT NULL,
    start_ts TEXT NOT NULL,
    end_ts TEXT NOT NULL
);

CREATE TABLE weak_coverage (
    grid_id TEXT PRIMARY KEY,
    province TEXT NOT NULL,
    city TEXT NOT NULL,
    district TEXT NOT NULL,
    place TEXT NOT NULL,                  -- 红谷滩万达广场地下车库
    cell_id TEXT REFERENCES cells(cell_id),
    severity TEXT NOT NULL CHECK (severity IN ('mild','moderate','severe')),
    cause TEXT NOT NULL,
    plan TEXT NOT NULL,                   -- 已列入2027年一季度建站计划
    planned_fix_date TEXT
);

-- ---------------------------------------------------------------- ticketing
CREATE TABLE tickets (
    ticket_id TEXT PRIMARY KEY,           -- T202611230001
    kind TEXT NOT NULL CHECK (kind IN ('repair','complaint','fee_dispute')),
    msisdn TEXT NOT NULL,
    account_id TEXT,                      -- broadband account for repairs
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open','in_progress','resolved','closed')),
    priority TEXT NOT NULL CHECK (priority IN ('normal','urgent')),
    created_ts TEXT NOT NULL,
    sla_due_ts TEXT NOT NULL,             -- created_ts + 48 h
    resolved_ts TEXT,
    created_by TEXT NOT NULL,
    diagnosis TEXT                        -- JSON: the copilot's findings, so nobody asks the caller again
);
CREATE INDEX ix_tickets_msisdn ON tickets(msisdn);

-- ---------------------------------------------------------------- writes
CREATE TABLE idempotency (
    idempotency_key TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,               -- JSON of the first result
    created_ts TEXT NOT NULL
);

CREATE TABLE audit_log (
    audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    actor TEXT NOT NULL,                  -- agent id
    system TEXT NOT NULL,
    operation TEXT NOT NULL,
    target TEXT NOT NULL,                 -- MSISDN or broadband account
    params TEXT NOT NULL,                 -- JSON
    idempotency_key TEXT NOT NULL,
    result TEXT NOT NULL,                 -- ok / rejected / error
    detail TEXT NOT NULL
);

-- Demo catalogue: which line shows which situation (for the demo and newcomers; never read by the copilot).
CREATE TABLE sim_profiles (
    msisdn TEXT NOT NULL,
    situation TEXT NOT NULL,
    PRIMARY KEY (msisdn, situation)
);
