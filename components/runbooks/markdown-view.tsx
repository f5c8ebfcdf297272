// Renders the small Markdown of runbook steps and post-mortems
// (lib/runbooks/markdown.ts) as React elements: nothing written is ever
// injected as HTML. Code blocks carry a copy button: commands are for pasting.
'use client';

import { Fragment } from 'react';
import { Anchor, Code, CopyButton, ActionIcon, List, ListItem, Text, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { parseMarkdown, type Inline } from '@/lib/runbooks/markdown';

function Inlines({ nodes }: { nodes: Inline[] }) {
  return (
    <>
      {nodes.map((n, i) => {
        switch (n.t) {
          case 'text':
            return <Fragment key={i}>{n.v}</Fragment>;
          case 'code':
            return <Code key={i}>{n.v}</Code>;
          case 'strong':
            return <strong key={i}><Inlines nodes={n.c} /></strong>;
          case 'em':
            return <em key={i}><Inlines nodes={n.c} /></em>;
          case 'link':
            return <Anchor key={i} href={n.href} target="_blank" rel="noreferrer noopener"><Inlines nodes={n.c} /></Anchor>;
        }
      })}
    </>
  );
}

export function MarkdownView({ source, size = 'sm', empty }: { source: string; size?: 'xs' | 'sm' | 'md'; empty?: string }) {
  const blocks = parseMarkdown(source);
  if (blocks.length === 0) return empty ? <Text size={size} c="dimmed">{empty}</Text> : null;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 6, minWidth: 0 }}>
      {blocks.map((b, i) => {
        switch (b.t) {
          case 'heading':
            return <Title key={i} order={b.level + 3 as 4 | 5 | 6}><Inlines nodes={b.c} /></Title>;
          case 'paragraph':
            return <Text key={i} size={size}><Inlines nodes={b.c} /></Text>;
          case 'list':
            return (
              <List key={i} size={size} type={b.ordered ? 'ordered' : 'unordered'} withPadding>
                {b.items.map((item, j) => <ListItem key={j}><Inlines nodes={item} /></ListItem>)}
              </List>
            );
          case 'code':
            return (
              <div key={i} style={{ position: 'relative' }}>
                <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', paddingRight: 36 }}>{b.v}</Code>
                <CopyButton value={b.v}>
                  {({ copied, copy }) => (
                    <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
                      <ActionIcon variant="subtle" size="sm" onClick={copy} aria-label="Copy the command" style={{ position: 'absolute', top: 4, right: 4 }}>
                        {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
                      </ActionIcon>
                    </Tooltip>
                  )}
                </CopyButton>
              </div>
            );
        }
      })}
    </div>
  );
}
