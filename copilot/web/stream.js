// The call's cards over Server-Sent Events, each delivered once and in order.
//
// EventSource reconnects by itself after a dropped connection and sends Last-Event-ID, so the server replays
// what was missed. When the browser gives up (the stream answered with an error), we open a new one after the
// last sequence number seen. Either way a card already shown is never shown twice: events are deduplicated by
// their per-call sequence number. The stream is closed after the wrap-up (the server ends it there).

import { api } from "./api.js";

export const EVENT_TYPES = ["utterance", "understanding", "knowledge", "diagnosis", "reply", "answer",
  "action_result", "feedback", "wrapup"];

export class CallStream {
  /**
   * @param {string} callId
   * @param {(event: object) => void} onEvent called once per event, in sequence order
   * @param {(state: string, reconnects: number) => void} onState "open" | "reconnecting" | "closed"
   */
  constructor(callId, onEvent, onState) {
    this.callId = callId;
    this.onEvent = onEvent;
    this.onState = onState;
    this.seen = new Set();
    this.last = 0;
    this.reconnects = 0;
    this.source = null;
    this.closed = false;
    this.retryTimer = null;
  }

  /** Open the stream, replaying events after `after` (0: the whole call). */
  open(after = this.last) {
    clearTimeout(this.retryTimer);
    if (this.source) this.source.close();
    this.closed = false;
    const source = new EventSource(api.eventsUrl(this.callId, after));
    this.source = source;
    for (const type of EVENT_TYPES) source.addEventListener(type, (message) => this.receive(message));
    source.onopen = () => this.onState("open", this.reconnects);
    source.onerror = () => {
      if (this.closed || source !== this.source) return;
      this.reconnects += 1;
      this.onState("reconnecting", this.reconnects);
      if (source.readyState === EventSource.CLOSED) {
        // the browser gave up: resume ourselves after the last card we have
        const wait = Math.min(1000 * 2 ** Math.min(this.reconnects, 4), 10000);
        this.retryTimer = setTimeout(() => this.open(this.last), wait);
      }
    };
  }

  /** Drop the connection and open a new one replaying from `after` (cards already shown stay single). */
  restart(after = this.last) {
    this.reconnects += 1;
    this.onState("reconnecting", this.reconnects);
    this.open(after);
  }

  receive(message) {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    const seq = Number(event.seq);
    if (!Number.isFinite(seq) || this.seen.has(seq)) return;
    this.seen.add(seq);
    this.last = Math.max(this.last, seq);
    this.onEvent(event);
    if (event.type === "wrapup") this.close();
  }

  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.source) this.source.close();
    this.source = null;
    this.onState("closed", this.reconnects);
  }
}
