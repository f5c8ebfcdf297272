// The closed vocabularies of routing, declared once: in prisma/schema.prisma.
// Prisma generates them as plain objects (no client, safe in the browser);
// every type and list here is read from those, so a value added to the schema
// is known everywhere at the next `prisma generate`, and none is spelled twice.
import { ApiStyle, BreakerState, DegradationTier, DrillFaultKind, OverrideKind, ProviderKind, QualityClass } from '@/lib/server/generated/prisma/enums';

export { ApiStyle, BreakerState, DrillFaultKind, OverrideKind, ProviderKind, QualityClass };

/** What a drill's fault does to an attempt (lib/gateway/inject-fault.ts), in the schema's order. */
export const DRILL_FAULT_KINDS = Object.values(DrillFaultKind);

/** In the schema's order: the forms' options, and z.enum's. */
export const PROVIDER_KINDS = Object.values(ProviderKind);
export const API_STYLES = Object.values(ApiStyle);
export const QUALITY_CLASSES = Object.values(QualityClass);

/** A degradation tier (DESIGN.md, "Degradation level"). */
export type Tier = DegradationTier;

/** Best first, as prisma/schema.prisma declares them: a tier's index is its rank (tier.ts). */
export const TIERS: readonly Tier[] = Object.values(DegradationTier);
