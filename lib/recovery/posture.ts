// A service's recovery posture as a to-do list, not a grade (issue 12): every
// check its components fail names what to do, and the score is the share of
// checks that pass. Pure.
import { breachOf, isBreach, type Cell } from './compliance';
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

export type PostureComponent = { id: string; name: string; cells: Cell[]; missing: DisruptionKind[] };

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
  const todo: TodoItem[] = [];
  for (const component of components) {
    const groups = new Map<PostureAction, { disruptions: DisruptionKind[]; points: number; texts: string[]; ref: TodoItem['ref'] }>();
    const fail = (action: PostureAction, disruption: DisruptionKind, text = '', ref: TodoItem['ref'] = null) => {
      const group = groups.get(action) ?? { disruptions: [], points: 0, texts: [], ref: null };
      group.disruptions.push(disruption);
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
    for (const [action, group] of groups) {
      todo.push({ action, componentId: component.id, componentName: component.name, disruptions: group.disruptions, points: group.points, ref: group.ref, text: describe(action, component.name, group.disruptions, group.texts) });
    }
  }
  todo.sort((a, b) => ORDER[a.action] - ORDER[b.action] || b.points - a.points || a.componentName.localeCompare(b.componentName));
  return { score: checks ? Math.round((passed / checks) * 100) : 100, passed, checks, todo };
}

function describe(action: PostureAction, name: string, disruptions: DisruptionKind[], texts: string[]): string {
  switch (action) {
    case 'set_objective':
      return `Set an objective for ${name} under ${list(disruptions)}.`;
    case 'fix_configuration':
      return `${name} cannot meet its objective by design (${list(disruptions)}). ${texts[0] ?? ''}`.trim();
    case 'report_evidence':
      return `Report ${name}'s backups, replica lag and restore tests (${list(disruptions)}: no fresh evidence).`;
    case 'run_drill':
      return `Run a drill of ${name} for ${list(disruptions)}: nothing measured it within 90 days.`;
    case 'review_breach':
      return `Review the breach on ${name} (${texts.join('; ')}) and what was done.`;
  }
}

