// Checks of a configuration file that need more than one field: unique names,
// and references (a target's provider, region and credential, a chain's
// targets, a service's degraded target) that must resolve in the file or,
// unless pruning, in the current estate.
// Pure (check.test.ts). It reads the raw YAML data leniently, so it runs even
// when the schema found problems and the two lists are reported together.

/** Names in the estate now, as the file refers to them. */
export type EstateNames = {
  providers: string[];
  regions: string[];
  targets: string[];
  services: string[];
  credentials: { name: string; provider: string }[];
};

export type RawProblem = { path: PropertyKey[]; message: string };

type Item = { index: number; value: Record<string, unknown> };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function itemsOf(raw: unknown, section: string): Item[] {
  const list = isRecord(raw) ? raw[section] : undefined;
  return Array.isArray(list) ? list.flatMap((value, index) => (isRecord(value) ? [{ index, value }] : [])) : [];
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);

const SECTIONS = [
  { section: 'providers', key: 'name', noun: 'provider' },
  { section: 'regions', key: 'code', noun: 'region' },
  { section: 'credentials', key: 'name', noun: 'credential' },
  { section: 'targets', key: 'name', noun: 'target' },
  { section: 'services', key: 'name', noun: 'service' },
] as const;

export function referenceProblems(raw: unknown, estate: EstateNames, options: { prune: boolean }): RawProblem[] {
  const problems: RawProblem[] = [];
  const problem = (path: PropertyKey[], message: string) => problems.push({ path, message });

  // Unique names per section.
  const declared: Record<string, Set<string>> = {};
  for (const { section, key, noun } of SECTIONS) {
    const seen = new Map<string, number>();
    for (const { index, value } of itemsOf(raw, section)) {
      const name = text(value[key]);
      if (!name) continue;
      const first = seen.get(name);
      if (first === undefined) seen.set(name, index);
      else problem([section, index, key], `The ${noun} "${name}" is already declared at ${section}[${first}]. Each ${noun} appears once.`);
    }
    declared[section] = new Set(seen.keys());
  }

  // What exists once the file is applied: the file's entries, plus (unless pruning) everything already there.
  const resulting = (section: string, existing: string[]) => new Set([...declared[section], ...(options.prune ? [] : existing)]);
  const providers = resulting('providers', estate.providers);
  const regions = resulting('regions', estate.regions);
  const targets = resulting('targets', estate.targets);
  const whereToDeclare = (section: string, noun: string) =>
    options.prune ? `declare it under ${section} (with prune, anything the file leaves out is removed).` : `declare it under ${section}, or create the ${noun} in Standby first.`;

  // Credentials are references to secrets kept in Standby: they must exist there, with that provider.
  const credentialProvider = new Map(estate.credentials.map((c) => [c.name, c.provider]));
  const listedCredentials = new Map<string, string | null>();
  for (const { index, value } of itemsOf(raw, 'credentials')) {
    const name = text(value.name);
    if (!name) continue;
    const provider = text(value.provider);
    listedCredentials.set(name, provider);
    const actual = credentialProvider.get(name);
    if (actual === undefined) {
      problem(['credentials', index, 'name'], `No credential named "${name}" exists in Standby. Secrets never go in this file: add the credential under Admin → Provider credentials, then refer to it here by name.`);
    } else if (provider && provider !== actual) {
      problem(['credentials', index, 'provider'], `Credential "${name}" belongs to provider "${actual}" in Standby, not "${provider}".`);
    }
  }

  for (const { index, value } of itemsOf(raw, 'targets')) {
    const provider = text(value.provider);
    if (provider && !providers.has(provider)) problem(['targets', index, 'provider'], `Unknown provider "${provider}": ${whereToDeclare('providers', 'provider')}`);
    const region = text(value.region);
    if (region && !regions.has(region)) problem(['targets', index, 'region'], `Unknown region "${region}": ${whereToDeclare('regions', 'region')}`);
    const credential = text(value.credential);
    if (!credential) continue;
    const owner = credentialProvider.get(credential) ?? listedCredentials.get(credential);
    if (!listedCredentials.has(credential)) {
      problem(
        ['targets', index, 'credential'],
        owner === undefined
          ? `Unknown credential "${credential}": add it under Admin → Provider credentials, then list it under credentials.`
          : `Credential "${credential}" is not listed under credentials: add { name: ${credential}, provider: ${owner} } there.`,
      );
    } else if (provider && owner && owner !== provider) {
      problem(['targets', index, 'credential'], `Credential "${credential}" belongs to provider "${owner}", but this target's provider is "${provider}".`);
    }
  }

  for (const { index, value } of itemsOf(raw, 'services')) {
    const degradedTarget = isRecord(value.degradation) ? text(value.degradation.degradedTarget) : null;
    if (degradedTarget && !targets.has(degradedTarget)) {
      problem(['services', index, 'degradation', 'degradedTarget'], `Unknown target "${degradedTarget}": ${whereToDeclare('targets', 'target')}`);
    }
    const seen = new Map<string, number>();
    const chain = Array.isArray(value.chain) ? value.chain : [];
    chain.forEach((entry, position) => {
      const target = isRecord(entry) ? text(entry.target) : null;
      if (!target) return;
      if (!targets.has(target)) problem(['services', index, 'chain', position, 'target'], `Unknown target "${target}": ${whereToDeclare('targets', 'target')}`);
      const first = seen.get(target);
      if (first === undefined) seen.set(target, position);
      else problem(['services', index, 'chain', position, 'target'], `Target "${target}" is already in this chain at chain[${first}]. A chain lists each target once.`);
    });
  }

  // Pruning never touches credentials, so it cannot remove a provider one still belongs to.
  if (options.prune) {
    for (const { name, provider } of estate.credentials) {
      if (!declared.providers.has(provider)) {
        problem(['providers'], `Provider "${provider}" is not in the file, so prune would remove it, but credential "${name}" belongs to it. Add the provider to the file, or delete the credential under Admin → Provider credentials first.`);
      }
    }
  }
  return problems;
}
