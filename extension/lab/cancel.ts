/**
 * Cancellation in the engine: long work takes an AbortSignal and stops when it fires — worker threads
 * terminated, temporary folders removed — then rejects with CancelledError, which front ends report
 * quietly ("cancelled"), never as a failure.
 */

/** Thrown when a run is cancelled; front ends report it quietly. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * Settles like `work`, or rejects with CancelledError as soon as the signal aborts. For steps that cannot
 * be interrupted (opening an ONNX session): the answer comes at once and the step finishes unobserved.
 */
export function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    // Whatever `work` does later is handled here, also when the answer is already "cancelled": a rejection
    // nobody listens to would end the process.
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Lets pending I/O and messages (a cancel among them) through between two synchronous steps. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
