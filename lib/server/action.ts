import 'server-only';
// Runs the body of a server action under the one error contract.
import { revalidatePath } from 'next/cache';
import { type ActionResult, toActionError } from './errors';

export async function runAction<T>(name: string, work: () => Promise<T>, revalidate: string[] = []): Promise<ActionResult<T>> {
  try {
    const data = await work();
    for (const path of revalidate) revalidatePath(path);
    return { ok: true, data };
  } catch (error) {
    return toActionError(error, { action: name });
  }
}
