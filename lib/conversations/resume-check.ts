// Does a conversation resume with its whole history after a failover? The
// check a drill (issue 14) runs through the real gateway, as a client would:
// a first turn naming a fresh conversation, the drill's fault in between,
// then a second turn sending only its new message; the gateway says in
// x-standby-conversation-messages how many messages it sent upstream, which
// must be the whole history. The conversation is deleted afterwards.
import { randomUUID } from 'node:crypto';
import { CONVERSATION_HEADER } from './history';

export type ResumeCheck = {
  ok: boolean;
  conversation: string;
  firstTarget: string | null;
  secondTarget: string | null;
  failedOver: boolean;
  /** Messages the gateway sent upstream on the second turn, and how many the whole history makes. */
  messagesSent: number | null;
  expected: number;
  detail: string;
};

export async function checkConversationResume(options: { gatewayUrl: string; token: string; service: string; between?: () => Promise<void> }): Promise<ResumeCheck> {
  const conversation = `drill-${randomUUID()}`;
  const base = options.gatewayUrl.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', [CONVERSATION_HEADER]: conversation };
  const turn = async (content: string) => {
    const response = await fetch(`${base}/api/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: options.service, max_tokens: 64, messages: [{ role: 'user', content }] }) });
    const text = await response.text();
    return { status: response.status, target: response.headers.get('x-standby-target'), sent: Number(response.headers.get('x-standby-conversation-messages') ?? NaN), text };
  };
  const word = randomUUID().slice(0, 8);
  const expected = 3;
  try {
    const first = await turn(`Remember the word ${word}.`);
    if (first.status !== 200) return { ok: false, conversation, firstTarget: first.target, secondTarget: null, failedOver: false, messagesSent: null, expected, detail: `the first turn failed with HTTP ${first.status}: ${first.text.slice(0, 200)}` };
    await options.between?.();
    const second = await turn('Which word did I ask you to remember?');
    const sent = Number.isFinite(second.sent) ? second.sent : null;
    const ok = second.status === 200 && sent === expected;
    const detail =
      second.status !== 200
        ? `the second turn failed with HTTP ${second.status}: ${second.text.slice(0, 200)}`
        : sent === null
          ? `the gateway did not name the conversation in its answer: is ${options.service}'s conversation store on?`
          : sent === expected
            ? `${second.target} received the whole history (${sent} messages)${second.target !== first.target ? ` after a failover from ${first.target}` : ''}`
            : `${second.target} received ${sent} messages instead of ${expected}: the history was not resumed`;
    return { ok, conversation, firstTarget: first.target, secondTarget: second.target, failedOver: second.target !== first.target, messagesSent: sent, expected, detail };
  } finally {
    await fetch(`${base}/api/v1/conversations/${conversation}?service=${encodeURIComponent(options.service)}`, { method: 'DELETE', headers: { authorization: headers.authorization } }).catch(() => {});
  }
}
