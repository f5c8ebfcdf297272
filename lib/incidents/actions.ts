'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, timeline, audit) happens in mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import * as m from './mutations';

const user = () => getCurrentUser();
const LIST = ['/incidents'];

export const openIncidentAction = async (input: unknown) => runAction('openIncident', async () => m.openIncident(await user(), input), LIST);
export const acknowledgeIncidentAction = async (input: unknown) => runAction('acknowledgeIncident', async () => m.acknowledgeIncident(await user(), input), LIST);
export const setSeverityAction = async (input: unknown) => runAction('setSeverity', async () => m.setSeverity(await user(), input), LIST);
export const setStatusAction = async (input: unknown) => runAction('setStatus', async () => m.setStatus(await user(), input), LIST);
export const assignRoleAction = async (input: unknown) => runAction('assignRole', async () => m.assignRole(await user(), input), LIST);
export const editIncidentAction = async (input: unknown) => runAction('editIncident', async () => m.editIncident(await user(), input), LIST);
export const addNoteAction = async (input: unknown) => runAction('addNote', async () => m.addNote(await user(), input));
export const correctTimeAction = async (input: unknown) => runAction('correctTime', async () => m.correctTime(await user(), input));
export const setCuratedAction = async (input: unknown) => runAction('setCurated', async () => m.setCurated(await user(), input));
export const attachRunbookAction = async (input: unknown) => runAction('attachRunbook', async () => m.attachRunbook(await user(), input));
export const startStepAction = async (input: unknown) => runAction('startStep', async () => m.startStep(await user(), input));
export const finishStepAction = async (input: unknown) => runAction('finishStep', async () => m.finishStep(await user(), input));
export const runActionStepAction = async (input: unknown) => runAction('runActionStep', async () => m.runActionStep(await user(), input), ['/failover', '/degradation']);
export const runNotifyStepAction = async (input: unknown) => runAction('runNotifyStep', async () => m.runNotifyStep(await user(), input));
export const chooseDecisionAction = async (input: unknown) => runAction('chooseDecision', async () => m.chooseDecision(await user(), input));
export const savePostmortemAction = async (input: unknown) => runAction('savePostmortem', async () => m.savePostmortem(await user(), input));
export const addFollowUpAction = async (input: unknown) => runAction('addFollowUp', async () => m.addFollowUp(await user(), input));
export const setFollowUpDoneAction = async (input: unknown) => runAction('setFollowUpDone', async () => m.setFollowUpDone(await user(), input), LIST);
