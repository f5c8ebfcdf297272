// The Minimal tier's rule-based answers: an operator's list of { match,
// pattern, answer }, tried in order against the last user message; the first
// that matches answers as a chat completion from the model `standby-rule`
// with zero usage (no model ran). Regular expressions see at most the first
// MAX_RULE_TEXT characters, and possibly catastrophic ones never match (regex-safety.ts).
// Pure (rules.test.ts).
import type { ChatMessage, ChatRequest } from './openai-schema';
import type { CachedAnswer } from './response-cache';
import { catastrophicRegexReason, MAX_RULE_TEXT } from '@/lib/degradation/regex-safety';
import type { TierRule } from '@/lib/routing/model';

export const RULE_MODEL = 'standby-rule';

/** The text of the last user message (text parts joined by line feeds); null when there is none. */
export function lastUserText(messages: ChatMessage[]): string | null {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    return message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
  }
  return null;
}

// Rules live in the routing snapshot, which is replaced (not mutated) on reload:
// compiling each rule's pattern once per snapshot is enough.
const compiled = new WeakMap<TierRule, RegExp | null>();

function regexOf(rule: TierRule): RegExp | null {
  if (compiled.has(rule)) return compiled.get(rule) ?? null;
  let regex: RegExp | null;
  try {
    // An invalid or possibly catastrophic pattern never matches rather than failing or stalling
    // requests (the editor and config apply refuse both; this covers rows written otherwise).
    regex = catastrophicRegexReason(rule.pattern) ? null : new RegExp(rule.pattern, 'i');
  } catch {
    regex = null;
  }
  compiled.set(rule, regex);
  return regex;
}

export function ruleMatches(rule: TierRule, text: string): boolean {
  if (rule.pattern === '') return false;
  if (rule.match === 'contains') return text.toLowerCase().includes(rule.pattern.toLowerCase());
  return regexOf(rule)?.test(text.length > MAX_RULE_TEXT ? text.slice(0, MAX_RULE_TEXT) : text) ?? false;
}

/** The first rule that matches the request's last user message, or null. */
export function matchRule(rules: TierRule[], request: Pick<ChatRequest, 'messages'>): TierRule | null {
  if (rules.length === 0) return null;
  const text = lastUserText(request.messages);
  if (text === null) return null;
  return rules.find((rule) => ruleMatches(rule, text)) ?? null;
}

/** A rule's answer in the shape the gateway answers from (response-cache.ts renders it as JSON or a stream, with zero usage). */
export function ruleAnswer(rule: TierRule): CachedAnswer {
  return { model: RULE_MODEL, message: { role: 'assistant', content: rule.answer }, finish_reason: 'stop' };
}
