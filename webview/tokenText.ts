/** A token's text in backticks for prose and tooltips (`Ġwill`); always used as text, never as markup. */
export function quote(text: string): string {
  return '`' + text + '`';
}
