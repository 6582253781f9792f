/**
 * Code actions. Quick fixes for the parser's diagnostics, from the fix each one carries as data
 * (`LabDiagnostic.suggestion`: a "did you mean", the values that would be right) or from its code
 * (`not-this-architecture`: remove the key) — never from the message text. And, on a model entry, the two
 * changes the seed question is about, offered as rewrites rather than fixes (neither is an error): eval mode
 * for a model in train mode, `is_decoder: true` for a bidirectional BERT.
 */
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { moduleOf, type EntryField } from '../lab/config';
import type { KeyPlace } from '../lab/promptFile';
import type { LabDiagnostic, ModelSpec, SourceRange } from '../lab/types';
import { RUN_FINDING_SOURCE } from '../protocol/lsp';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { PromptAnalysis } from './documents';
import { FrontMatterText } from './frontMatterEdits';

/** Whether the client asked for actions of `kind` (`only` lists kinds and their parents, e.g. `refactor`). */
function wanted(only: readonly string[] | undefined, kind: string): boolean {
  return !only?.length || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

function sameRange(a: Range, b: SourceRange): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.column &&
    a.end.line === b.end.line &&
    a.end.character === b.end.column
  );
}

function contains(range: SourceRange, line: number, character: number): boolean {
  const afterStart = line > range.start.line || (line === range.start.line && character >= range.start.column);
  const beforeEnd = line < range.end.line || (line === range.end.line && character <= range.end.column);
  return afterStart && beforeEnd;
}

export class CodeActionBuilder {
  private readonly text: FrontMatterText;

  constructor(
    private readonly analysis: PromptAnalysis,
    /** The client applies versioned edits (`documentChanges`): a fix computed for an older text is refused. */
    private readonly versionedEdits: boolean,
  ) {
    this.text = new FrontMatterText(analysis);
  }

  workspaceEdit(edits: TextEdit[]): WorkspaceEdit {
    const { uri, version } = this.analysis;
    return this.versionedEdits
      ? { documentChanges: [{ textDocument: { uri, version }, edits }] }
      : { changes: { [uri]: edits } };
  }

  provide(params: CodeActionParams): CodeAction[] {
    const actions: CodeAction[] = [];
    const only = params.context.only;
    if (wanted(only, CodeActionKind.QuickFix)) {
      for (const diagnostic of params.context.diagnostics) {
        if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
        const lab = this.analysis.diagnosticsSoFar.find(
          (d) => d.code === diagnostic.code && sameRange(diagnostic.range, d.range),
        );
        if (lab) actions.push(...this.quickFixes(lab, diagnostic));
      }
    }
    if (wanted(only, CodeActionKind.RefactorRewrite)) actions.push(...this.entryRewrites(params));
    return actions;
  }

  private quickFixes(lab: LabDiagnostic, diagnostic: Diagnostic): CodeAction[] {
    const fix = (title: string, edit: TextEdit | undefined, isPreferred: boolean): CodeAction[] =>
      edit
        ? [
            {
              title,
              kind: CodeActionKind.QuickFix,
              diagnostics: [diagnostic],
              isPreferred,
              edit: this.workspaceEdit([edit]),
            },
          ]
        : [];
    if (lab.code === 'not-this-architecture') {
      const field = this.keyFieldAt(lab.range);
      return field ? fix(`Remove \`${field.key}\``, this.text.removeKey(field), true) : [];
    }
    const suggestion = lab.suggestion;
    if (!suggestion) return [];
    // A value is set on its field (an empty one has no range of its own); a key is replaced where it stands.
    const field = suggestion.target === 'value' ? this.fieldAt(lab.range) : undefined;
    if (suggestion.target === 'value' && !field) return [];
    // The texts are YAML as it is written (`true`, `gpt2`).
    return suggestion.texts.flatMap((text, i) => {
      const preferred = i === 0 && suggestion.closeMatch;
      if (!field)
        return fix(
          `Change \`${suggestion.key}\` to \`${text}\``,
          { range: diagnostic.range, newText: text },
          preferred,
        );
      return fix(`Set \`${field.key}: ${text}\``, this.text.setValue(field, text), preferred);
    });
  }

  /** The `key: value` of the front matter or a model entry whose value (or key, when the value is empty) is at `range`. */
  private fieldAt(range: SourceRange): KeyPlace | undefined {
    const { outline } = this.analysis;
    const fields = [...outline.topLevel, ...outline.models.flatMap((m) => m.fields)];
    const same = (a: SourceRange) =>
      a.start.line === range.start.line &&
      a.start.column === range.start.column &&
      a.end.line === range.end.line &&
      a.end.column === range.end.column;
    return fields.find((f) => same(f.valueRange));
  }

  /** The `key: value` of a model entry whose key is at `range`. */
  private keyFieldAt(range: SourceRange): EntryField | undefined {
    return this.analysis.outline.models
      .flatMap((m) => m.fields)
      .find((f) => f.keyRange.start.line === range.start.line && f.keyRange.start.column === range.start.column);
  }

  /** On a model entry: eval mode for a model in train mode; the causal mask for a bidirectional BERT. */
  private entryRewrites(params: CodeActionParams): CodeAction[] {
    const { line, character } = params.range.start;
    const spec = this.analysis.modelsSoFar.find((m) => contains(m.range, line, character));
    if (!spec) return [];
    // A finished run's finding about this line already offers its fix (the host's quick fix): not twice.
    if (params.context.diagnostics.some((d) => d.source === RUN_FINDING_SOURCE)) return [];
    const rewrites: CodeAction[] = [];
    const add = (title: string, key: string, value: boolean | string) => {
      const edits = this.text.setModelKey(spec.name, key, value);
      if (Array.isArray(edits) && edits.length > 0)
        rewrites.push({ title, kind: CodeActionKind.RefactorRewrite, edit: this.workspaceEdit(edits) });
    };
    if (spec.mode === 'train') add(`Run ${spec.name} in eval mode (dropout off): \`mode: eval\``, 'mode', 'eval');
    const causalSwitch = bidirectionalSwitch(spec);
    if (causalSwitch && typeof causalSwitch.value === 'boolean')
      add(
        `Make ${spec.name} causal (a decoder's mask): \`${causalSwitch.key}: ${String(causalSwitch.value)}\``,
        causalSwitch.key,
        causalSwitch.value,
      );
    return rewrites;
  }
}

/** The setting that makes a bidirectional model causal (BERT's `is_decoder: true`), when the model is bidirectional. */
function bidirectionalSwitch(spec: ModelSpec): { key: string; value: unknown } | null {
  const module = moduleOf(spec.architecture);
  return module.attention(spec.config) === 'bidirectional' ? module.causalSwitch : null;
}
