// The standard runbook library: one runbook per failure mode of the seeds,
// with concrete steps. Parameters left blank are filled when a step runs
// (the incident's service, its primary), so the library fits any estate.
// Installed into the demo estate by the seed and into any estate from the
// Runbooks page (mutations.ts installLibrary); editable like any runbook.
import type { FailureMode } from './model';
import type { StepInput } from './schemas';

/** A decision option names the runbook it attaches; installLibrary turns the name into its id. */
type LibraryStep = Omit<StepInput, 'params'> & { params?: unknown };
export type LibraryRunbook = { name: string; failureMode: FailureMode; summary: string; steps: LibraryStep[] };

const tell = (key: string, title: string, message: string, lane = 0): LibraryStep => ({ key, kind: 'notify', title, lane, params: { message } });

export const LIBRARY: LibraryRunbook[] = [
  {
    name: 'Provider outage',
    failureMode: 'provider_outage',
    summary: "An API provider (OpenAI, Anthropic, Google, Azure OpenAI) fails or times out for the service's primary. Move callers to the next provider, keep them there until the provider is stable, then bring them back.",
    steps: [
      {
        key: 'confirm', kind: 'instruction', title: 'Confirm it is the provider, not us', expectedMinutes: 3,
        body: 'Open the service page: which targets fail, with what error class? Then check the provider\'s status page.\n\n```\ncurl -s https://status.openai.com/api/v2/status.json\ncurl -s https://status.anthropic.com/api/v2/status.json\n```\n\nA `connect_failed` or `header_timeout` on every target of one provider is the provider; on every provider at once it is our network (escalate to the network on-call: **#netops**, +1 555 0100).',
      },
      {
        key: 'scope', kind: 'decision', title: 'How far does it reach?',
        params: {
          question: 'Is the whole provider down, or one of its regions?',
          options: [
            { label: 'The whole provider', skipStepKeys: [] },
            { label: 'One region only', attachRunbookId: 'Regional outage', skipStepKeys: [] },
            { label: 'Callers are failing widely: escalate to P0', setSeverity: 'P0', skipStepKeys: [] },
          ],
        },
      },
      { key: 'flip', kind: 'action', title: "Force failover off the failing primary", lane: 1, expectedMinutes: 2, body: 'The preview shows where traffic goes and whether it fits there.', params: { action: 'force_failover' } },
      { key: 'callers-ok', kind: 'check', title: 'Callers answered again', lane: 1, params: { metric: 'error_rate', belowPercent: 1, forMinutes: 2, minRequests: 10 } },
      tell('announce', 'Tell #incidents', '{incident} {severity}: {title}. {service} is being moved off its primary. Commander: {commander}. {link}', 2),
      {
        key: 'provider', kind: 'instruction', title: 'Open a ticket with the provider and watch their status', expectedMinutes: 10,
        body: '- OpenAI: https://help.openai.com (enterprise: your account team)\n- Anthropic: support@anthropic.com\n- Google: Cloud console, case priority P1\n\nPaste the incident link and the first failure time from the timeline. Keep traffic off until the status page says resolved **and** the breaker has stayed closed.',
      },
      { key: 'primary-back', kind: 'check', title: 'The primary has been healthy for 5 minutes', params: { metric: 'breaker_closed', forMinutes: 5 } },
      { key: 'return', kind: 'action', title: 'Return the service to automatic routing', params: { action: 'return_to_automatic' } },
      { key: 'holds', kind: 'check', title: 'Error rate stays under 1% for 5 minutes', params: { metric: 'error_rate', belowPercent: 1, forMinutes: 5, minRequests: 10 } },
      tell('all-clear', 'Tell #incidents it is over', '{incident}: {service} is back on its primary and has held for 5 minutes. Post-mortem to follow. {link}'),
    ],
  },
  {
    name: 'Regional outage',
    failureMode: 'regional_outage',
    summary: "One region of a provider is down while its other regions answer. Drain the region's target so every service using it moves, and check the other regions can carry the load.",
    steps: [
      {
        key: 'confirm', kind: 'instruction', title: 'Confirm only one region is failing', expectedMinutes: 3,
        body: 'On the Health page, the provider\'s targets in other regions should be green. If they are not, this is a provider outage: attach that runbook instead.',
      },
      { key: 'drain', kind: 'action', title: "Drain the failing region's target", expectedMinutes: 2, body: 'A drain takes the target out of **every** service that uses it: the preview lists them.', params: { action: 'drain' } },
      { key: 'callers-ok', kind: 'check', title: 'Callers answered again', params: { metric: 'error_rate', belowPercent: 1, forMinutes: 2, minRequests: 10 } },
      {
        key: 'capacity', kind: 'instruction', title: 'Check the remaining regions have room', lane: 1,
        body: 'Service page → Routing: the load against each target\'s RPM. Above 80%, ask the provider for a temporary quota increase in those regions, or hold the service in Degraded (smaller model, shorter answers).',
      },
      { key: 'tier-full', kind: 'check', title: 'The service stays in Full', lane: 2, params: { metric: 'tier', tier: 'full', forMinutes: 2 } },
      tell('announce', 'Tell #incidents', '{incident} {severity}: {title}. The failing region is drained; traffic runs in the other regions. {link}', 3),
      { key: 'region-back', kind: 'check', title: "The region's breaker closed for 10 minutes", params: { metric: 'breaker_closed', forMinutes: 10 } },
      { key: 'return', kind: 'action', title: 'Undrain: return to automatic routing', params: { action: 'return_to_automatic' } },
    ],
  },
  {
    name: 'Rate limiting and capacity exhaustion',
    failureMode: 'capacity_exhaustion',
    summary: 'A provider answers 429 or the chain cannot carry the demand. Shed the overflow deliberately (Degraded: smaller model, capped tokens) while quota is raised or demand falls.',
    steps: [
      {
        key: 'measure', kind: 'instruction', title: 'Measure: 429s, Retry-After and demand', expectedMinutes: 3,
        body: 'Degradation page: D = available / demand, and the tier forecast. Service page: error classes (`rate_limited`) and the Retry-After the provider sends.\n\n```\ncurl -si $STANDBY/api/v1/chat/completions -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" -d \'{"model":"support-bot","messages":[{"role":"user","content":"ping"}]}\' | grep -i -E "x-standby|retry-after"\n```',
      },
      { key: 'degrade', kind: 'action', title: 'Hold the service in Degraded', body: 'Degraded tries the smaller model first and caps max_tokens; it sheds only the overflow.', params: { action: 'tier_override', tier: 'degraded' } },
      {
        key: 'quota', kind: 'instruction', title: 'Ask for a quota increase', lane: 1, expectedMinutes: 30,
        body: '- OpenAI: platform.openai.com → Limits → request increase (enterprise: account team)\n- Anthropic: console → Limits, or your account manager\n- Azure OpenAI: portal → Quotas → request\n\nSay the RPM and TPM you need: the demand on the Degradation page plus 30%.',
      },
      { key: 'errors-ok', kind: 'check', title: 'Error rate under 2% while degraded', lane: 2, params: { metric: 'error_rate', belowPercent: 2, forMinutes: 2, minRequests: 10 } },
      tell('announce', 'Tell #incidents and support', '{incident}: {service} is held in Degraded (shorter answers) while we raise provider quota. {link}', 3),
      { key: 'clear', kind: 'action', title: 'Clear the tier hold', params: { action: 'clear_tier_override' } },
      { key: 'tier-full', kind: 'check', title: 'Back in Full for 5 minutes', params: { metric: 'tier', tier: 'full', forMinutes: 5 } },
    ],
  },
  {
    name: 'Model quality degradation',
    failureMode: 'quality_degradation',
    summary: 'A model answers, but worse: wrong language, refusals, hallucinations after a provider snapshot change. Nothing fails, so nothing fails over by itself.',
    steps: [
      {
        key: 'examples', kind: 'instruction', title: 'Collect three bad answers with their request ids', expectedMinutes: 10,
        body: 'From the support queue or the application logs: the prompt, the answer, the `x-standby-target` header and the time. Compare with the same prompts on the fallback target.',
      },
      {
        key: 'harm', kind: 'decision', title: 'Is it harmful, or only worse?',
        params: {
          question: 'Could an answer harm a user (unsafe advice, leaked data, abuse)?',
          options: [
            { label: 'Harmful: treat as a safety incident', setSeverity: 'P0', attachRunbookId: 'Safety incident', skipStepKeys: ['move', 'eval'] },
            { label: 'Only worse', skipStepKeys: [] },
          ],
        },
      },
      { key: 'move', kind: 'action', title: 'Move the service off the model', params: { action: 'force_failover' } },
      {
        key: 'eval', kind: 'instruction', title: 'Run the evaluation suite against the current and the fallback model', lane: 1, expectedMinutes: 20,
        body: '```\nnpm run eval -- --suite support-regression --model gpt-4o\nnpm run eval -- --suite support-regression --model claude-sonnet-4-5\n```\nAttach the scores to the timeline as a note.',
      },
      { key: 'callers-ok', kind: 'check', title: 'Callers answered by the fallback', lane: 2, params: { metric: 'error_rate', belowPercent: 1, forMinutes: 2, minRequests: 10 } },
      { key: 'return', kind: 'action', title: 'Return to automatic once the provider has rolled back', params: { action: 'return_to_automatic' } },
    ],
  },
  {
    name: 'Safety incident',
    failureMode: 'safety_incident',
    summary: 'A model produces unsafe output. Retire it from every chain at once, with a named substitute, then preserve evidence and inform legal and communications.',
    steps: [
      { key: 'retire', kind: 'action', title: 'Retire the model everywhere, with a substitute', expectedMinutes: 2, body: 'Name the model (every target serving it leaves every chain) and the substitute that takes its place. Reversible from the target page once it is safe again.', params: { action: 'retire_model' } },
      tell('alert', 'Alert #incidents, legal and trust & safety', '{incident} P0 safety: a model was retired from every chain. Commander: {commander}. Do not discuss outside this channel. {link}', 1),
      { key: 'callers-ok', kind: 'check', title: 'Callers answered by the substitute', lane: 2, params: { metric: 'error_rate', belowPercent: 1, forMinutes: 2, minRequests: 10 } },
      {
        key: 'evidence', kind: 'instruction', title: 'Preserve the evidence', expectedMinutes: 15,
        body: '- Export the affected requests and answers from the application store **before** retention removes them.\n- Export the audit log for the last 24 h (Audit log page → filter by action `routing.retire_model`).\n- Note who saw the output and when.',
      },
      {
        key: 'legal', kind: 'instruction', title: 'Legal and communications', lane: 1,
        body: 'Legal on call: legal-oncall@example.com, +1 555 0199. Communications drafts the customer note; nothing goes out without legal.',
      },
      {
        key: 'fixed', kind: 'decision', title: 'Is the model safe again?',
        params: {
          question: 'Has the provider fixed it and has our evaluation passed?',
          options: [
            { label: 'Not yet: keep it retired', skipStepKeys: [] },
            { label: 'Yes: revert the retirement from the target page', skipStepKeys: [] },
          ],
        },
      },
    ],
  },
  {
    name: 'Self-hosted GPU or node failure',
    failureMode: 'gpu_node_failure',
    summary: 'A GPU node of the self-hosted cluster fails (vLLM, TGI, Ollama). Drain the target so callers go to the API providers, then replace the node.',
    steps: [
      { key: 'drain', kind: 'action', title: 'Drain the self-hosted target', expectedMinutes: 2, params: { action: 'drain' } },
      { key: 'callers-ok', kind: 'check', title: 'Callers answered elsewhere', params: { metric: 'error_rate', belowPercent: 1, forMinutes: 2, minRequests: 10 } },
      {
        key: 'node', kind: 'instruction', title: 'Find and cordon the failed node', lane: 1, expectedMinutes: 10,
        body: '```\nkubectl get nodes -l gpu=true\nkubectl describe node <node> | grep -A5 Conditions\nnvidia-smi -q | grep -i -E "xid|retired"\nkubectl cordon <node>\nkubectl delete pod -l app=vllm --field-selector spec.nodeName=<node>\n```\nXid 79 or 48: the GPU is gone, open a hardware ticket.',
      },
      {
        key: 'capacity', kind: 'instruction', title: 'Check API cost while self-hosted is out', lane: 2,
        body: 'Traffic now goes to API providers at list price: tell finance if this lasts more than a day (finance-oncall@example.com).',
      },
      { key: 'back', kind: 'check', title: 'The target has been healthy for 5 minutes', params: { metric: 'breaker_closed', forMinutes: 5 } },
      { key: 'return', kind: 'action', title: 'Undrain: return to automatic routing', params: { action: 'return_to_automatic' } },
    ],
  },
  {
    name: 'Lost model artifacts',
    failureMode: 'lost_artifacts',
    summary: 'Weights, tokenizer, config or prompt templates of a self-hosted model are lost or corrupt. A model is restorable only with all four; restore time is about size / bandwidth (200 GB over 1 Gbps is about 27 min).',
    steps: [
      { key: 'drain', kind: 'action', title: 'Drain the target serving the damaged model', params: { action: 'drain' } },
      {
        key: 'inventory', kind: 'instruction', title: 'List what is missing', expectedMinutes: 5,
        body: '```\nls -la /models/<model>/\nsha256sum -c /models/<model>/SHA256SUMS\n```\nWeights, `tokenizer.json`, `config.json`, prompt templates: note which fail.',
      },
      {
        key: 'restore', kind: 'instruction', title: 'Restore from the newest complete backup', expectedMinutes: 30,
        body: 'Backups page: the newest copy with every part and its checksums.\n\n```\naws s3 sync s3://models-backup/<model>/<copy>/ /models/<model>/ --only-show-errors\nsha256sum -c /models/<model>/SHA256SUMS\nkubectl rollout restart deploy/vllm\n```',
      },
      tell('announce', 'Tell #incidents the expected restore time', '{incident}: restoring {service}\'s model from backup; callers are served by the API providers meanwhile. {link}', 1),
      { key: 'back', kind: 'check', title: 'The target has been healthy for 5 minutes', params: { metric: 'breaker_closed', forMinutes: 5 } },
      { key: 'return', kind: 'action', title: 'Undrain: return to automatic routing', params: { action: 'return_to_automatic' } },
    ],
  },
  {
    name: "Loss of Standby's own database",
    failureMode: 'database_loss',
    summary: "Standby's PostgreSQL is gone or corrupt. The gateway keeps routing on every replica's last snapshot (static stability): do not restart replicas. Restore the database, then the configuration.",
    steps: [
      {
        key: 'hold', kind: 'instruction', title: 'Do not restart any replica', expectedMinutes: 1,
        body: 'Each replica routes on the snapshot in its memory; a restarted one has none. Check every replica still answers:\n\n```\ncurl -s https://standby.example.com/api/health   # "status":"degraded" is expected now\n```',
      },
      {
        key: 'restore', kind: 'instruction', title: 'Restore PostgreSQL to the latest point in time', expectedMinutes: 20,
        body: '```\npgbackrest --stanza=standby --type=time --target="<time before the loss>" restore\n# or, from a logical dump:\npg_restore --clean --if-exists -d "$DATABASE_URL" standby-nightly.dump\n```\nManaged PostgreSQL: restore to a point in time from the provider console, then point `DATABASE_URL` at it.',
      },
      { key: 'config', kind: 'action', title: 'Apply the last known good configuration version', body: 'If the restored database is older than the last configuration change.', params: { action: 'apply_config_version' } },
      {
        key: 'verify', kind: 'instruction', title: 'Verify every replica is back on the database',
        body: '```\ncurl -s https://standby.example.com/api/health   # "status":"ok" on every replica\n```\nThen restart replicas one at a time if any still reports degraded.',
      },
      tell('announce', 'Tell #incidents', "{incident}: Standby's database is restored; routing never stopped. {link}"),
    ],
  },
];
