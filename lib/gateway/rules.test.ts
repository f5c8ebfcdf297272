import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from './openai-schema';
import { MAX_RULE_TEXT } from '@/lib/degradation/regex-safety';
import { lastUserText, matchRule, RULE_MODEL, ruleAnswer, ruleMatches } from './rules';
import type { TierRule } from '@/lib/routing/model';

const user = (content: ChatMessage['content'] & {}): ChatMessage => ({ role: 'user', content }) as ChatMessage;

describe('lastUserText', () => {
  it('reads the last user message, not the last message', () => {
    const messages: ChatMessage[] = [user('first question'), { role: 'assistant', content: 'an answer' }, user('second question'), { role: 'assistant', content: 'x' }];
    assert.equal(lastUserText(messages), 'second question');
  });

  it('joins the text parts of a multi-part message and skips images', () => {
    const parts = [{ type: 'text', text: 'look at' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }, { type: 'text', text: 'this' }];
    assert.equal(lastUserText([user(parts as never)]), 'look at\nthis');
  });

  it('is null without a user message', () => {
    assert.equal(lastUserText([{ role: 'system', content: 'be brief' }]), null);
  });
});

describe('matchRule', () => {
  const rules: TierRule[] = [
    { match: 'contains', pattern: 'Opening Hours', answer: 'We are open 9 to 5.' },
    { match: 'regex', pattern: '^reset (my )?password', answer: 'Use the reset link on the sign-in page.' },
    { match: 'contains', pattern: 'hours', answer: 'never reached for opening hours' },
  ];
  const ask = (text: string) => ({ messages: [user(text)] });

  it('matches contains case-insensitively, as a substring', () => {
    assert.equal(matchRule(rules, ask('what are your OPENING hours today?'))?.answer, 'We are open 9 to 5.');
  });

  it('matches regex case-insensitively', () => {
    assert.equal(matchRule(rules, ask('Reset password please'))?.answer, 'Use the reset link on the sign-in page.');
    assert.equal(matchRule(rules, ask('RESET MY PASSWORD'))?.answer, 'Use the reset link on the sign-in page.');
    assert.equal(matchRule(rules, ask('how do I reset password')), null, 'anchored at the start');
  });

  it('takes the first rule that matches, in order', () => {
    assert.equal(matchRule(rules, ask('hours of opening hours'))?.pattern, 'Opening Hours');
    assert.equal(matchRule(rules, ask('business hours'))?.answer, 'never reached for opening hours');
  });

  it('looks only at the last user message', () => {
    const messages: ChatMessage[] = [user('opening hours?'), { role: 'assistant', content: 'ok' }, user('thanks')];
    assert.equal(matchRule(rules, { messages }), null);
  });

  it('never matches an invalid regex or an empty pattern, and does not throw', () => {
    assert.equal(ruleMatches({ match: 'regex', pattern: '(unclosed', answer: 'a' }, '(unclosed'), false);
    assert.equal(ruleMatches({ match: 'contains', pattern: '', answer: 'a' }, 'anything'), false);
  });

  it('never runs a catastrophic pattern that reached the snapshot, and tries patterns on a bounded text', () => {
    // Run, it would match this text at once; it is not run at all (on `${'a'.repeat(40)}!` it would take hours).
    assert.equal(ruleMatches({ match: 'regex', pattern: '^(a+)+$', answer: 'a' }, 'aaaa'), false);
    const late = `${'x'.repeat(MAX_RULE_TEXT)} refund`;
    assert.equal(ruleMatches({ match: 'regex', pattern: 'refund', answer: 'a' }, late), false);
    assert.equal(ruleMatches({ match: 'contains', pattern: 'refund', answer: 'a' }, late), true, 'contains is linear, so it reads the whole message');
  });

  it('is null with no rules', () => {
    assert.equal(matchRule([], ask('opening hours')), null);
  });
});

describe('ruleAnswer', () => {
  it('answers as the standby-rule model with a finished message', () => {
    assert.deepEqual(ruleAnswer({ match: 'contains', pattern: 'x', answer: 'Hello.' }), {
      model: RULE_MODEL, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop',
    });
  });
});
