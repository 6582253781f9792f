/** The engine's 0-based `{ line, column }` ranges as LSP's `{ line, character }`: both count UTF-16 code units. */
import type { Range } from 'vscode-languageserver';
import type { SourceRange } from '../lab/types';

export function toLspRange(range: SourceRange): Range {
  return {
    start: { line: range.start.line, character: range.start.column },
    end: { line: range.end.line, character: range.end.column },
  };
}
