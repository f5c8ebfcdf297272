'use client';

// Mantine's Anchor rendered as a Next.js Link. It lives in a client module because
// server components cannot pass the Link component itself across the boundary.
import Link from 'next/link';
import { Anchor, type AnchorProps } from '@mantine/core';

export function LinkAnchor({ href, children, ...props }: AnchorProps & { href: string; children: React.ReactNode }) {
  return (
    <Anchor component={Link} href={href} {...props}>
      {children}
    </Anchor>
  );
}
