// Step 6: relaying a streamed answer. Events are translated to OpenAI's
// chunks as they arrive and written a piece of the upstream body at a time.
// Nothing is sent before the first token, so a target that never sends one can
// still be left cleanly; after it, an idle limit restarts with every piece. A
// stream that ends without saying how it finished is a failure (a truncated
// answer is never a success): the route loop continues it on another target
// where it can. A complete stream ends with the usage of the whole answer,
// [DONE], and trailers naming the target that finished it.
import type { ErrorClass } from '@/lib/routing/error-classes';
import type { SnapshotChainEntry, SnapshotTarget } from '@/lib/routing/model';
import { createStreamTranslator, type UpstreamTarget } from './adapters';
import { classifyHttpError } from './classify-error';
import { standbyHeaders, type Exchange, type Failure } from './context';
import { continuedUsage, estimateTokens, usageChunk, type ChatCompletionChunk, type Usage } from './openai-schema';
import { createSseParser, type SseEvent } from './sse';
import { UpstreamFailure, type BodySource } from './upstream';

/** After a finish_reason, how long a stream may take to send its usage and end marker before it is finished for it. */
const FINISH_GRACE_MS = 1_000;

export type OnUsage = (usage: Usage | null, deliveredTokens?: number | null) => void;

/** A chunk with something of the answer in it: text, a tool call, a refusal, reasoning, or the finish. */
function carriesToken(chunk: ChatCompletionChunk): boolean {
  return chunk.choices.some(
    (choice) =>
      choice.finish_reason != null ||
      Object.entries(choice.delta).some(([key, value]) => key !== 'role' && value != null && value !== '' && !(Array.isArray(value) && value.length === 0)),
  );
}

export async function relayStream(
  x: Exchange, entry: SnapshotChainEntry, target: SnapshotTarget, upstreamTarget: UpstreamTarget, body: BodySource,
  startedAt: number, fail: (c: ErrorClass, m: string, s?: number | null) => Failure, onTtft: (ms: number) => void, onUsage: OnUsage,
): Promise<Failure | null> {
  const parser = createSseParser();
  const translator = createStreamTranslator(upstreamTarget, { id: x.requestId, created: x.created, assistantPrefill: x.sentText || undefined });
  // Chunks that carry no token yet (OpenAI's role chunk, Anthropic's message_start) wait for the
  // first one, so that a target that never sends a token can still be left without the client
  // having seen anything: the first-token limit then fails over cleanly.
  const held: { chunk: ChatCompletionChunk; wire: string | undefined }[] = [];
  // Continuing an answer begun elsewhere: the client has had its role chunk already.
  const continuing = x.headersSent;
  let gotFirst = false;
  let finished = false;
  let timer: NodeJS.Timeout | null = null;
  let armedMs = 0;
  let armedClass: ErrorClass = 'first_token_timeout';
  // Set from callbacks, hence typed by assertion (an initializer of null would narrow them to null).
  let timedOut = null as ErrorClass | null;
  // Re-armed on every piece of the body: the same limit again only restarts the running timer.
  const arm = (ms: number, errorClass: ErrorClass) => {
    armedClass = errorClass;
    if (timer && ms === armedMs) {
      timer.refresh();
      return;
    }
    if (timer) clearTimeout(timer);
    armedMs = ms;
    timer = setTimeout(() => {
      timedOut = armedClass;
      body.destroy(new UpstreamFailure(armedClass, armedClass));
    }, ms);
  };
  // The events of one piece of the upstream body go out in one write (the same bytes, far less work than a write each).
  let unsent = '';
  // `wire`: the chunk's text when the translator took it from the upstream's own (StreamStep.wire), else serialised here.
  const write = (out: ChatCompletionChunk, wire: string | undefined) => {
    if (!x.headersSent) {
      x.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', trailer: 'x-standby-target, x-standby-attempts', ...standbyHeaders(x, target) });
      x.headersSent = true;
    }
    unsent += `data: ${wire ?? JSON.stringify(out)}\n\n`;
    x.assembler?.push(out);
  };
  let upstreamError = null as { message: string; type: string } | null;
  /** Translates and relays events; true once the upstream said it is done (or failed). */
  const relay = (events: SseEvent[]): boolean => {
    try {
      return translate(events);
    } finally {
      if (unsent) x.res.write(unsent);
      unsent = '';
    }
  };
  const translate = (events: SseEvent[]): boolean => {
    for (const event of events) {
      const step = translator.push(event);
      if (step.error) {
        upstreamError = step.error;
        return true;
      }
      // A translator gives a step's text (wire) only for a step of one chunk.
      const wire = step.chunks.length === 1 ? step.wire : undefined;
      for (const out of step.chunks) {
        if (!gotFirst) {
          if (!carriesToken(out)) {
            held.push({ chunk: out, wire });
            continue;
          }
          gotFirst = true;
          onTtft(Math.round(performance.now() - startedAt));
          for (const early of held.splice(0)) if (!continuing) write(early.chunk, early.wire);
        }
        write(out, wire);
        if (out.choices.some((choice) => choice.finish_reason)) finished = true;
      }
      if (step.done) return true;
    }
    return false;
  };

  // The first-token limit runs from the start of the attempt's body and is not moved by
  // keep-alives; once tokens flow, the idle limit restarts with every piece of the body.
  arm(entry.timeouts.firstTokenMs, 'first_token_timeout');
  // Listeners rather than `for await`: leaving that loop when the upstream says it is done destroys
  // the body with an AbortError whose stack Node reads (with source maps, a tenth of a millisecond).
  // Here the body is left to end by itself, and destroyed only if it does not within FINISH_GRACE_MS.
  const cut = await new Promise<boolean>((resolve) => {
    let settled = false;
    const settle = (wasCut: boolean) => {
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(wasCut);
    };
    if (body.destroyed) return settle(true);
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      try {
        if (relay(parser.push(chunk))) {
          settle(false);
          if (!body.readableEnded) {
            const grace = setTimeout(() => body.destroy(), FINISH_GRACE_MS).unref();
            body.once('close', () => clearTimeout(grace));
          }
          return;
        }
      } catch {
        settle(true);
        body.destroy();
        return;
      }
      // After finish_reason only the usage chunk and the end marker are due: wait briefly for them.
      if (finished) arm(Math.min(entry.timeouts.streamIdleMs, FINISH_GRACE_MS), 'stream_stall');
      else if (gotFirst) arm(entry.timeouts.streamIdleMs, 'stream_stall');
    });
    body.on('end', () => {
      if (settled) return;
      try {
        // An event the body ended without its blank line still counts (sse.ts).
        relay(parser.end());
        settle(false);
      } catch {
        settle(true);
      }
    });
    // An error (a limit above, an abort) or a close before the end: the stream was cut.
    body.on('error', () => {
      if (!settled) settle(true);
    });
    body.on('close', () => {
      if (!settled) settle(true);
    });
  });
  const outcome = translator.finish();
  // This attempt's own part of the answer: what it sent beyond the prefill it continued from.
  const ownText = outcome.text.slice(x.sentText.length);
  x.sentText = outcome.text;
  x.hasToolCalls = outcome.hasToolCalls;
  const delivered = gotFirst ? (outcome.usage?.completion_tokens ?? estimateTokens(ownText)) : 0;
  onUsage(outcome.usage, delivered);
  if (upstreamError) {
    const errorClass = classifyHttpError(200, { error: upstreamError }, target.apiStyle);
    return fail(errorClass, upstreamError.message);
  }
  // An answer that has said how it finished is complete, whatever happens to the connection after.
  if (outcome.finishReason === null || !gotFirst || x.abort.aborted) {
    // The part sent stays with the client: a target that continues it reports only its own tokens.
    x.earlier = { completionTokens: x.earlier.completionTokens + delivered, estimated: x.earlier.estimated || (gotFirst && !outcome.usage) };
    if (cut) return fail(timedOut ?? (x.abort.aborted ? 'total_timeout' : 'stream_cut'), timedOut ? timedOut.replace(/_/g, ' ') : 'the upstream stream was cut');
    return fail('stream_cut', outcome.sawDone ? 'the stream ended without saying why' : 'the upstream stream ended early');
  }
  // Complete: usage of the whole answer when asked for, then [DONE] (even if the upstream never sent it), in one write.
  // The headers named the target that began the answer; the comment and the trailers name the one that finished it.
  x.answerUsage = outcome.usage && x.earlier.completionTokens > 0 ? continuedUsage(x.earlier.completionTokens, outcome.usage) : outcome.usage;
  const usage = x.includeUsage && x.answerUsage ? `data: ${JSON.stringify(usageChunk({ id: x.requestId, created: x.created }, outcome.model, x.answerUsage))}\n\n` : '';
  const estimated = x.earlier.estimated ? ' usage=estimated' : '';
  x.res.addTrailers({ 'x-standby-target': target.name, 'x-standby-attempts': String(x.attempts) });
  x.res.end(`${usage}: standby target=${target.name} attempts=${x.attempts}${estimated}\n\ndata: [DONE]\n\n`);
  return null;
}
