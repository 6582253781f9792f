/**
 * Where the results panel opens: beside the `.prompt` file's editor, in an editor group that already
 * exists when there is one (the group to its right, else to its left), so a run never opens a third
 * column next to two that are already there. Only with a single group does it make a new one beside.
 * Pure (columns are numbers, 1-based as VS Code's ViewColumn), so it is unit-tested without VS Code.
 */
export function panelColumn(editorColumn: number | undefined, groupColumns: readonly number[]): number | 'beside' {
  const columns = [...new Set(groupColumns)].sort((a, b) => a - b);
  if (editorColumn === undefined) return columns.length > 1 ? columns[1] : 'beside';
  const right = columns.find((c) => c > editorColumn);
  if (right !== undefined) return right;
  const left = columns.filter((c) => c < editorColumn).pop();
  return left ?? 'beside';
}
