/** Narrowing report results in tests: a result the test expects to be measured, failing clearly if it is not. */
import assert from 'node:assert/strict';
import type { MeasuredResult, VariantResult } from '../../extension/protocol/report';

export function measured(result: VariantResult | undefined): MeasuredResult {
  assert.ok(result, 'a result');
  assert.equal(result.kind, 'measured', `${result.model}: ${result.explanation}`);
  return result as MeasuredResult;
}
