// Reading and writing the configuration file's YAML. Pure (yaml.test.ts): the
// estate the references are checked against is passed in.
import { Document, isCollection, isMap, isScalar, LineCounter, parseDocument, visit, type Node } from 'yaml';
import { referenceProblems, type EstateNames } from './check';
import { CONFIG_API_VERSION, CONFIG_KIND, configDocument, formatPath, schemaProblems, sortErrorClasses, type ConfigDoc, type ConfigProblem } from './schema';
import { DEFAULT_CHAIN_ENTRY } from '@/lib/failover/schemas';

export const MAX_CONFIG_BYTES = 2 * 1024 * 1024;
/** What POST /api/config takes: the registered type, and the unregistered ones tools still send. */
export const YAML_MEDIA_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'] as const;

export type ParsedConfig = { ok: true; doc: ConfigDoc } | { ok: false; problems: ConfigProblem[] };

/**
 * Every problem of a file at once: YAML syntax (with line numbers) first, as
 * nothing else can be trusted then; otherwise schema problems and reference
 * problems together, in the order of the lines they are on.
 */
export function parseConfigText(text: string, estate: EstateNames, options: { prune: boolean }): ParsedConfig {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    return { ok: false, problems: [{ path: '', message: `The file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MB.` }] };
  }
  const lines = new LineCounter();
  const yaml = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (yaml.errors.length) {
    return {
      ok: false,
      problems: yaml.errors.map((error) => ({
        path: '',
        // yaml appends " at line L, column C:" and an excerpt; the line is kept apart instead.
        message: `YAML syntax: ${error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim()}${error.linePos ? ` (column ${error.linePos[0].col})` : ''}`,
        line: error.linePos?.[0].line,
      })),
    };
  }
  const raw: unknown = yaml.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) {
    return { ok: false, problems: [{ path: '', message: `The file is empty. Start it with apiVersion: ${CONFIG_API_VERSION} and kind: ${CONFIG_KIND}.` }] };
  }

  // The line of the deepest node the path reaches: a missing field points at its parent.
  const lineOf = (path: PropertyKey[]): number | undefined => {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = yaml.getIn(path.slice(0, depth) as (string | number)[], true) as Node | undefined;
      if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };

  const parsed = configDocument.safeParse(raw);
  const found = [...(parsed.success ? [] : schemaProblems(parsed.error)), ...referenceProblems(raw, estate, options)];
  if (found.length === 0 && parsed.success) return { ok: true, doc: parsed.data };

  const problems = found.map(({ path, message }) => ({ path: formatPath(path), message, line: lineOf(path) }));
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { ok: false, problems };
}

// ---------------------------------------------------------------- writing

const SECTION_COMMENTS: Record<string, string> = {
  providers: ' Providers: who serves the models. Providers in one failureDomain share a fate.',
  regions: ' Regions, by code.',
  credentials: ' References only: the secrets stay in Standby (Admin → Provider credentials). Each must already exist there.',
  targets: ' Targets: provider + region + model + endpoint, with capacity, price, circuit breaker settings and declared availability (%).',
  services: ' Services: the names clients send as `model`, each with its SLO, how it degrades, and its failover chain in order.',
};

const FLOW_FIELDS = new Set(['failoverOn', 'price', 'slo', 'thresholds', 'conversations', 'adaptiveLimits']);

/** Leaves out optional values that are unset, so the file reads as what is configured. */
function withoutNulls<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== null)) as T;
}

const byKey = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * The file for `doc`: sections in dependency order, entries sorted by name, and
 * fields always in the same order, so exporting an unchanged estate twice
 * gives the same bytes and a version-control diff shows only real changes.
 */
export function serializeConfig(doc: ConfigDoc, header: string[] = []): string {
  const ordered = {
    apiVersion: CONFIG_API_VERSION,
    kind: CONFIG_KIND,
    providers: [...doc.providers].sort(byKey((p) => p.name)).map(withoutNulls),
    regions: [...doc.regions].sort(byKey((r) => r.code)),
    credentials: [...doc.credentials].sort(byKey((c) => c.name)),
    targets: [...doc.targets].sort(byKey((t) => t.name)).map(withoutNulls),
    services: [...doc.services]
      .sort(byKey((s) => s.name))
      .map((service) => ({
        ...service,
        degradation: withoutNulls(service.degradation),
        chain: service.chain.map(({ adaptiveLimits, ...entry }) =>
          withoutNulls({
            ...entry,
            failoverOn: sortErrorClasses(entry.failoverOn),
            // Left out while fixed at the default floor, as a file that never mentions it reads.
            adaptiveLimits: adaptiveLimits.multiplier === null && adaptiveLimits.floorMs === DEFAULT_CHAIN_ENTRY.adaptiveLimitFloorMs ? null : withoutNulls(adaptiveLimits),
          }),
        ),
      })),
  };
  const yaml = new Document(ordered);
  if (header.length) yaml.commentBefore = header.map((line) => ` ${line}`).join('\n');
  if (isMap(yaml.contents)) {
    for (const pair of yaml.contents.items) {
      if (!isScalar(pair.key)) continue;
      const comment = SECTION_COMMENTS[String(pair.key.value)];
      if (comment) {
        pair.key.commentBefore = comment;
        pair.key.spaceBefore = true;
      }
    }
  }
  // Short values on one line: failoverOn: [rate_limited, server_error], price: { inPerMTok: 2.5, outPerMTok: 10 }, slo, thresholds.
  visit(yaml, {
    Pair(_, pair) {
      if (isScalar(pair.key) && FLOW_FIELDS.has(String(pair.key.value)) && isCollection(pair.value)) pair.value.flow = true;
    },
  });
  return yaml.toString({ lineWidth: 0, indent: 2, indentSeq: true, flowCollectionPadding: false });
}
