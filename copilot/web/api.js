// The copilot's HTTP API, as the pages use it. Errors come back as ApiError with the API's code and message.

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.code = error.code || "error";
    this.detail = error;
  }
}

async function request(method, path, body) {
  const init = { method, headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { error: { code: "network", message: `网络异常：${err.message}` } });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const call = (id) => `/v1/calls/${encodeURIComponent(id)}`;

export const api = {
  createCall: (callId, msisdn, agentId) => request("POST", "/v1/calls", { call_id: callId, msisdn, agent_id: agentId }),
  getCall: (id) => request("GET", call(id)),
  say: (id, speaker, text) => request("POST", `${call(id)}/utterances`, { speaker, text }),
  ask: (id, text) => request("POST", `${call(id)}/ask`, { text }),
  confirm: (id, key) => request("POST", `${call(id)}/actions/${encodeURIComponent(key)}/confirm`),
  reject: (id, key) => request("POST", `${call(id)}/actions/${encodeURIComponent(key)}/reject`),
  feedback: (id, body) => request("POST", `${call(id)}/feedback`, body),
  confirmWrapup: (id, body) => request("PUT", `${call(id)}/wrapup`, body),
  end: (id) => request("POST", `${call(id)}/end`),
  caller: (id) => request("GET", `${call(id)}/caller`),
  eventsUrl: (id, after) => `${call(id)}/events${after ? `?after=${after}` : ""}`,
  demoCalls: () => request("GET", "/v1/demo/calls"),
  labels: () => request("GET", "/v1/ui/labels"),
  doc: (docId) => request("GET", `/v1/kb/docs/${encodeURIComponent(docId)}`),
  kbSearch: (params) => request("GET", `/v1/kb/search?${new URLSearchParams(params)}`),
  kbStatus: () => request("GET", "/v1/kb/status"),
  kbIngest: (files, dryRun) => {
    const form = new FormData();
    for (const file of files) form.append("files", file, file.name);
    return request("POST", `/v1/kb/ingest?dry_run=${dryRun ? "true" : "false"}`, form);
  },
};
