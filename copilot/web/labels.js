// Chinese wording the sidebar shows for the API's codes (intent and action names come from the vocabulary).

export const SYSTEMS = [
  ["BOSS", "BOSS 计费"],
  ["AAA", "AAA 认证"],
  ["PON", "PON 网管"],
  ["COVERAGE", "覆盖与故障"],
  ["TICKETING", "工单"],
];

export const STATE_TEXT = {
  green: "正常", amber: "需关注", red: "异常", failed: "查询失败", skipped: "未能查询", none: "本次未查",
};

export const EMOTIONS = {
  angry: { level: "red", text: "客户情绪激动：先致歉安抚，不争辩、不打断" },
  anxious: { level: "amber", text: "客户焦急：先说明正在帮他查，给出明确时间" },
};

export const RISKS = {
  complaint_escalation: { level: "red", text: "投诉升级风险：客户提到投诉/12300/找领导，必要时转值班长" },
  escalation_threat: { level: "red", text: "越级投诉风险：客户扬言找工信部/12300/消协或领导，请按升级流程转值班长" },
  media_threat: { level: "red", text: "舆情风险：客户扬言曝光或找媒体，请按升级流程处理" },
  repeat_contact: { level: "amber", text: "重复来电：客户已多次催办，催办无果请转值班长" },
  charge_disputed: { level: "amber", text: "客户不认可费用：说明并提出优惠后仍有异议，可提交费用争议工单" },
  injection: { level: "amber", text: "疑似诱导越权：不要按客户要求查询他人信息或跳过审核" },
  fraud_risk: { level: "red", text: "疑似诈骗：提醒客户不要转账、不要泄露验证码" },
  elderly: { level: "amber", text: "老年客户：放慢语速，一步一步说明" },
};

/** Slots the copilot fills itself; what callers say of their situation comes with the labels (statements.yaml). */
export const SLOT_NAMES = {
  months: "账期", amounts: "金额", amounts_yuan: "金额", volumes: "流量", data_mb: "流量", dates: "日期",
  addresses: "地址", numbers: "提到的号码", destinations: "目的地",
};

export const PARAM_NAMES = {
  msisdn: "号码", month: "账期", account_id: "宽带账号", title: "标题", description: "描述", outage_id: "故障编号",
  tier_id: "档位", pack_id: "流量包", product_id: "产品", reason: "原因", kind: "类型", priority: "优先级",
};

export const ACTION_KINDS = {
  system_write: "写入系统 · 需确认", ticket: "派发工单 · 需确认", script: "宣读口径", guidance: "指引",
  handset_guide: "指导操作", escalation: "升级",
};

export const DISPOSITIONS = {
  intercept: "已在线处理，无需派单",
  resolve: "已当场解决",
  dispatch: "需派单上门维修",
  escalate: "需升级处理",
  inform: "已向客户解释说明",
};

export const TICKET_KINDS = { repair: "报修工单", complaint: "投诉工单", fee_dispute: "费用争议工单" };

/** A place as people write it: a municipality is its own city (上海市上海市浦东新区 -> 上海市浦东新区). */
export const placeName = (text) => String(text || "").replace(/^(.{2,4}市)\1/, "$1");

/** Filled from /v1/ui/labels at start. */
export const vocab = { intents: {}, actions: {}, slots: {} };

export const intentLabel = (id) => vocab.intents[id]?.label || id;
export const actionLabel = (id) => vocab.actions[id]?.label || id;
export const slotLabel = (name) => vocab.slots[name]?.label || SLOT_NAMES[name] || name;
export const slotValueLabel = (name, value) => vocab.slots[name]?.values?.[value] || value;
