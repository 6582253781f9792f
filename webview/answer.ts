/**
 * The answer, before any table: one sentence per case saying which rule each model follows and why
 * (the same words the CLI prints, from extension/protocol/answer.ts). Built from this run's results
 * only — never from a previous run's — and marked as partial while results are still coming.
 */
import { caseAnswer, type AnswerPart } from '../extension/protocol/answer';
import { el } from './dom';
import { modelsOf, type ViewState } from './state';

export class AnswerView {
  readonly element = el('section', { class: 'answer', 'aria-label': 'Answer', hidden: true });

  render(state: ViewState): void {
    const cases = [...new Set(state.results.map((r) => r.caseIndex))].sort((a, b) => a - b);
    this.element.hidden = cases.length === 0;
    const models = modelsOf(state.outline, state.results).length;
    const several = new Set(state.outline?.cases.map((c) => c.caseIndex) ?? cases).size > 1;
    this.element.replaceChildren(
      ...cases.map((caseIndex) => {
        const results = state.results.filter((r) => r.caseIndex === caseIndex);
        const answered = new Set(results.map((r) => r.model)).size;
        return el(
          'p',
          { class: 'answer-line', 'data-case': caseIndex },
          several ? el('span', { class: 'answer-case' }, `Case ${caseIndex + 1}: `) : null,
          ...caseAnswer(results).map(partView),
          answered < models
            ? el(
                'span',
                { class: 'answer-pending' },
                ` (${answered} of ${models} models${state.status.kind === 'running' ? ' so far' : ''})`,
              )
            : null,
        );
      }),
    );
  }
}

function partView(part: AnswerPart): Node {
  switch (part.kind) {
    case 'model':
      return el('strong', { class: 'answer-model' }, part.text);
    case 'code':
      return el('code', {}, part.text);
    case 'text':
      return document.createTextNode(part.text);
  }
}
