// The small Markdown that runbook steps and post-mortems are written in:
// headings, paragraphs, lists, fenced code (commands to copy), inline code,
// bold, italics and links. Parsed to a tree that the page renders as React
// elements and the PDF draws, so nothing written is ever injected as HTML.
// Links keep only http, https and mailto. Pure; unit-tested beside it.

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong'; c: Inline[] }
  | { t: 'em'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] };

export type Block =
  | { t: 'heading'; level: 1 | 2 | 3; c: Inline[] }
  | { t: 'paragraph'; c: Inline[] }
  | { t: 'list'; ordered: boolean; items: Inline[][] }
  | { t: 'code'; v: string };

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** Inline Markdown to nodes; what does not parse stays text. */
export function parseInline(source: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ t: 'text', v: text });
    text = '';
  };
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    let match: RegExpExecArray | null;
    if ((match = /^`([^`]+)`/.exec(rest))) {
      flush();
      out.push({ t: 'code', v: match[1] });
    } else if ((match = /^\*\*(.+?)\*\*/.exec(rest))) {
      flush();
      out.push({ t: 'strong', c: parseInline(match[1]) });
    } else if ((match = /^(?:\*([^*\s][^*]*?)\*|_([^_\s][^_]*?)_(?![A-Za-z0-9]))/.exec(rest)) && (i === 0 || !/[A-Za-z0-9]/.test(source[i - 1]) || rest[0] === '*')) {
      flush();
      out.push({ t: 'em', c: parseInline(match[1] ?? match[2]) });
    } else if ((match = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(rest)) && SAFE_LINK.test(match[2])) {
      flush();
      out.push({ t: 'link', href: match[2], c: parseInline(match[1]) });
    } else {
      text += source[i];
      i += 1;
      continue;
    }
    i += match[0].length;
  }
  flush();
  return out;
}

/** Markdown to blocks. */
export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const endParagraph = () => {
    if (paragraph.length) blocks.push({ t: 'paragraph', c: parseInline(paragraph.join(' ')) });
    paragraph = [];
  };
  const endList = () => {
    if (list) blocks.push({ t: 'list', ordered: list.ordered, items: list.items.map(parseInline) });
    list = null;
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      endParagraph();
      endList();
      const code: string[] = [];
      for (i += 1; i < lines.length && !/^\s*```/.test(lines[i]); i += 1) code.push(lines[i]);
      blocks.push({ t: 'code', v: code.join('\n') });
      continue;
    }
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    if (heading) {
      endParagraph();
      endList();
      blocks.push({ t: 'heading', level: heading[1].length as 1 | 2 | 3, c: parseInline(heading[2].trim()) });
      continue;
    }
    const item = /^\s*(?:([-*+])|(\d{1,3})[.)])\s+(.*)$/.exec(line);
    if (item) {
      endParagraph();
      const ordered = item[2] !== undefined;
      if (list && list.ordered !== ordered) endList();
      list ??= { ordered, items: [] };
      list.items.push(item[3]);
      continue;
    }
    if (!line.trim()) {
      endParagraph();
      endList();
      continue;
    }
    // An indented line right after a list item continues it.
    if (list && /^\s{2,}\S/.test(line)) {
      list.items[list.items.length - 1] += ` ${line.trim()}`;
      continue;
    }
    endList();
    paragraph.push(line.trim());
  }
  endParagraph();
  endList();
  return blocks;
}

/** The words of some inline nodes, without their marks (for a PDF line, a title, a search). */
export function plainText(nodes: Inline[]): string {
  return nodes.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : plainText(n.c))).join('');
}
