export const EXIT = { ok: 0, expectFailed: 1, badInput: 2, internal: 3 } as const;
