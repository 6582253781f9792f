/** A disposal scope: everything registered here is disposed together, in reverse order. */
export interface DisposableLike {
  dispose(): unknown;
}

export class DisposableStore implements DisposableLike {
  private items: DisposableLike[] = [];
  private disposed = false;

  add<T extends DisposableLike>(item: T): T {
    if (this.disposed) {
      item.dispose();
      return item;
    }
    this.items.push(item);
    return item;
  }

  dispose(): void {
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) {
      try {
        item.dispose();
      } catch {
        // One failing disposal must not keep the others from running.
      }
    }
  }
}
