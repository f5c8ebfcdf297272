// Inputs of Admin → Settings (STYLE.md habit 4).
import { z } from 'zod';
import { reasonSchema } from '@/lib/inventory/schemas';
import { parseNetwork } from '@/lib/server/networks';

/** Wider than this is no longer "the network our models are on" but most of the address space. */
const WIDEST_PREFIX = { ipv4: 8, ipv6: 7 } as const;

/** One network per line (or separated by commas), as an admin types them; the list is stored normalised. */
export const privateNetworksInput = z.object({
  networks: z
    .string()
    .max(10_000, 'At most 10,000 characters.')
    .transform((text, ctx) => {
      const entries = [...new Set(text.split(/[\s,]+/).map((entry) => entry.trim()).filter(Boolean))];
      const networks: string[] = [];
      for (const entry of entries) {
        const parsed = parseNetwork(entry);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
        else if (parsed.network.prefix < WIDEST_PREFIX[parsed.network.family]) {
          ctx.addIssue({ code: 'custom', message: `'${entry}' allows most of the address space, cloud metadata services included. Name the networks your models run on, such as 10.20.0.0/16.` });
        } else networks.push(parsed.network.text);
      }
      if (networks.length > 100) ctx.addIssue({ code: 'custom', message: 'At most 100 networks.' });
      return networks;
    }),
  reason: reasonSchema,
});
export type PrivateNetworksInput = z.input<typeof privateNetworksInput>;
