/**
 * The runner's book of runs: one AbortController per run in flight, and the cancels that arrived for a
 * run the runner does not have (one that already ended, or one whose `run` has not arrived). Those are
 * remembered so a late `run` starts cancelled, but only the latest few: a host that sends cancels for
 * runs that are long over (every cancel racing a `done` does) must not grow the runner's memory.
 */
export const MAX_EARLY_CANCELS = 64;

export class RunRegistry {
  private readonly controllers = new Map<string, AbortController>();
  /** Insertion-ordered, so the oldest is dropped first. */
  private readonly early = new Set<string>();

  constructor(private readonly maxEarly = MAX_EARLY_CANCELS) {}

  /** A new run: its signal is already aborted if its cancel came first. */
  begin(requestId: string): AbortSignal {
    const controller = new AbortController();
    if (this.early.delete(requestId)) controller.abort();
    this.controllers.set(requestId, controller);
    return controller.signal;
  }

  end(requestId: string): void {
    this.controllers.delete(requestId);
  }

  cancel(requestId: string): void {
    const controller = this.controllers.get(requestId);
    if (controller) {
      controller.abort();
      return;
    }
    this.early.delete(requestId);
    this.early.add(requestId);
    while (this.early.size > this.maxEarly) this.early.delete(this.early.values().next().value as string);
  }

  /** Cancels every run in flight (the runner is being stopped). */
  cancelAll(): void {
    for (const controller of this.controllers.values()) controller.abort();
  }

  get inFlight(): number {
    return this.controllers.size;
  }

  get earlyCancels(): number {
    return this.early.size;
  }
}
