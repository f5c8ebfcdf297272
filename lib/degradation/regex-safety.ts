// Operators write the Minimal tier's regex rules, and the gateway runs them on
// clients' messages on its one event loop: a pattern that backtracks
// exponentially ((a+)+$ on "aaaa…!") would stall every request of the replica.
// JavaScript's engine has no time limit, so such patterns are refused: a
// repetition of something that itself repeats (star height above one, the
// shape behind nearly every catastrophic pattern), and backreferences. The
// text a rule is tried on is also bounded (MAX_RULE_TEXT). Pure (regex-safety.test.ts).

/** Rules see at most this much of the last user message; enough for any intent a rule can recognise. */
export const MAX_RULE_TEXT = 8_192;

type Group = { repeats: boolean };

/** Whether a brace quantifier at the start of `rest` ({n}, {n,} or {n,m}) allows more than one repetition. */
function repeatsMoreThanOnce(rest: string): boolean {
  const braces = /^\{(\d+)(,(\d*))?\}/.exec(rest);
  if (!braces) return false; // a literal brace
  const most = braces[2] === undefined ? Number(braces[1]) : braces[3] === '' ? Infinity : Number(braces[3]);
  return most > 1;
}

/** Why `pattern` could take exponential time, in words for the operator; null when it cannot by these rules. */
export function catastrophicRegexReason(pattern: string): string | null {
  const groups: Group[] = [{ repeats: false }];
  // What the last atom was: a group that repeats inside, or anything else.
  let lastAtomRepeats = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'it uses a backreference, which can take exponential time';
      i += 1;
      lastAtomRepeats = false;
      continue;
    }
    if (c === '[') {
      // A character class is one atom; skip to its unescaped closing bracket (in JavaScript `[]` is empty and `[^]` is any character).
      let j = i + 1;
      if (pattern[j] === '^') j += 1;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      lastAtomRepeats = false;
      continue;
    }
    if (c === '(') {
      groups.push({ repeats: false });
      lastAtomRepeats = false;
      continue;
    }
    if (c === ')') {
      const closed = groups.length > 1 ? groups.pop()! : { repeats: false };
      lastAtomRepeats = closed.repeats;
      // A repetition inside a group is a repetition inside its parent too.
      if (closed.repeats) groups[groups.length - 1].repeats = true;
      continue;
    }
    const quantifier = c === '*' || c === '+' || (c === '{' && repeatsMoreThanOnce(pattern.slice(i)));
    if (quantifier) {
      if (lastAtomRepeats) return 'it repeats a group that itself repeats (like (a+)+), which can take exponential time';
      groups[groups.length - 1].repeats = true;
      if (c === '{') i = pattern.indexOf('}', i);
      lastAtomRepeats = false;
      continue;
    }
    lastAtomRepeats = false;
  }
  return null;
}
