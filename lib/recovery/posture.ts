// A service's recovery posture as a to-do list, not a grade (issue 12): every
// check its components fail names what to do, and the score is the share of
// checks that pass. Drills (issue 14) add one check per plan, credited by
// their score as it decays with age, and one per routing component no drill
// has covered. Pure.
import { breachOf, isBreach, type Cell } from './compliance';
import type { Freshness } from './drill-freshness';
import { formatRatio } from './format';
import { DISRUPTION_SHORT, type DisruptionKind } from './model';

export type PostureAction = 'set_objective' | 'fix_configuration' | 'report_evidence' | 'run_drill' | 'review_breach';

export type TodoItem = {
  action: PostureAction;
  componentId: string;
  componentName: string;
  disruptions: DisruptionKind[];
  /** What to do, in a sentence. */
  text: string;
  /** Checks this would make pass. */
  points: number;
  /** The episode or evidence a breach points to. */
  ref: Cell['rto']['worst'];
};

/** A drill plan of the component as the posture weighs it. */
export type PostureDrill = { planName: string; disruption: DisruptionKind; cadenceDays: number; freshness: Freshness };

export type PostureComponent = {
  id: string;
  name: string;
  cells: Cell[];
  missing: DisruptionKind[];
  /** Its drill plans not archived. */
  drills?: PostureDrill[];
  /** A routing component: expected to be drilled, so one with no plan fails a check. */
  drillable?: boolean;
};

/** `passed` counts the checks met in full; the score also credits a drill by its decayed score (a stale pass 75 or 50 of 100). */
export type Posture = { score: number; passed: number; checks: number; todo: TodoItem[] };

const ORDER: Record<PostureAction, number> = { review_breach: 0, fix_configuration: 1, set_objective: 2, report_evidence: 3, run_drill: 4 };
const list = (disruptions: DisruptionKind[]) => disruptions.map((d) => DISRUPTION_SHORT[d].toLowerCase()).join(', ');

/**
 * Four checks per component and disruption that applies to it: an objective
 * is set; the configuration can meet it; fresh evidence measures it; nothing
 * measured breached it. Items group the failed checks of one component by
 * what to do.
 */
export function assessPosture(components: readonly PostureComponent[], stateful: (componentId: string) => boolean): Posture {
  let checks = 0;
  let passed = 0;
  let credit = 0;
  const todo: TodoItem[] = [];
  for (const component of components) {
    const groups = new Map<PostureAction, { disruptions: DisruptionKind[]; untold: DisruptionKind[]; points: number; texts: string[]; ref: TodoItem['ref'] }>();
    const fail = (action: PostureAction, disruption: DisruptionKind | null, text = '', ref: TodoItem['ref'] = null) => {
      const group = groups.get(action) ?? { disruptions: [], untold: [], points: 0, texts: [], ref: null };
      if (disruption && !group.disruptions.includes(disruption)) group.disruptions.push(disruption);
      // Failed checks with nothing particular to say, told together.
      if (disruption && !text && !group.untold.includes(disruption)) group.untold.push(disruption);
      group.points += 1;
      if (text && !group.texts.includes(text)) group.texts.push(text);
      group.ref ??= ref;
      groups.set(action, group);
    };
    for (const disruption of component.missing) {
      checks += 4;
      fail('set_objective', disruption);
    }
    for (const cell of component.cells) {
      checks += 4;
      if (!cell.objective) {
        fail('set_objective', cell.disruption);
        continue;
      }
      passed += 1;
      if (cell.atRisk) fail('fix_configuration', cell.disruption, [...(cell.predictedRto?.fixes ?? []), ...(cell.predictedRpo?.fixes ?? [])][0]?.change ?? '');
      else passed += 1;
      if (cell.verdict === 'unverified' || cell.verdict === 'no_evidence') fail(stateful(component.id) && cell.rpoVerdict && cell.rpoVerdict !== 'compliant' ? 'report_evidence' : 'run_drill', cell.disruption);
      else passed += 1;
      if (isBreach(cell)) {
        fail('review_breach', cell.disruption, `${DISRUPTION_SHORT[cell.disruption]}: worst ${formatRatio(cell.ratio)} the objective`, breachOf(cell).ref);
      } else passed += 1;
    }
    const drills = component.drills ?? [];
    for (const drill of drills) {
      checks += 1;
      if (drill.freshness.status === 'fresh') passed += 1;
      else {
        credit += drill.freshness.score / 100;
        fail('run_drill', drill.disruption, drillGap(drill));
      }
    }
    if (component.drillable && drills.length === 0) {
      checks += 1;
      fail('run_drill', null, 'no drill is planned for it');
    }
    for (const [action, group] of groups) {
      todo.push({ action, componentId: component.id, componentName: component.name, disruptions: group.disruptions, points: group.points, ref: group.ref, text: describe(action, component.name, group) });
    }
  }
  todo.sort((a, b) => ORDER[a.action] - ORDER[b.action] || b.points - a.points || a.componentName.localeCompare(b.componentName));
  return { score: checks ? Math.round(((passed + credit) / checks) * 100) : 100, passed, checks, todo };
}

/** Why a drill check fails, in a clause: the plan and what is wrong with its last result. */
export function drillGap({ planName, cadenceDays, freshness }: PostureDrill): string {
  const ago = freshness.ageDays === 0 ? 'today' : freshness.ageDays === 1 ? '1 day ago' : `${freshness.ageDays} days ago`;
  switch (freshness.status) {
    case 'never_run':
      return `"${planName}" has never run`;
    case 'stale':
      return `"${planName}" last passed ${ago}, its cadence is ${cadenceDays} days`;
    case 'unverified':
      return `"${planName}" passed ${ago}, but since then ${freshness.changes.map((c) => c.replace(/\.$/, '')).join('; ').replace(/^./, (c) => c.toLowerCase())}`;
    case 'failed':
      return `"${planName}" failed ${ago}`;
    case 'halted':
      return `"${planName}" was halted ${ago}`;
    case 'fresh':
      return '';
  }
}

function describe(action: PostureAction, name: string, { disruptions, untold, texts }: { disruptions: DisruptionKind[]; untold: DisruptionKind[]; texts: string[] }): string {
  switch (action) {
    case 'set_objective':
      return `Set an objective for ${name} under ${list(disruptions)}.`;
    case 'fix_configuration':
      return `${name} cannot meet its objective by design (${list(disruptions)}). ${texts[0] ?? ''}`.trim();
    case 'report_evidence':
      return `Report ${name}'s backups, replica lag and restore tests (${list(disruptions)}: no fresh evidence).`;
    case 'run_drill':
      return `Run a drill of ${name}: ${[...(untold.length ? [`nothing measured ${list(untold)} within 90 days`] : []), ...texts].join('; ')}.`;
    case 'review_breach':
      return `Review the breach on ${name} (${texts.join('; ')}) and what was done.`;
  }
}

